/** True when a write failed on a unique index (E11000), including inside a bulk write. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[]; cause?: unknown };
  if (e?.code === 11000) return true;
  if (e?.writeErrors?.some((w) => w.code === 11000)) return true;
  return e?.cause ? isDuplicateKey(e.cause) : false;
}
