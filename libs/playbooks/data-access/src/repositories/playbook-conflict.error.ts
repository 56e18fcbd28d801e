/**
 * Another write took the version number this one wanted: two people (or a person and a dream)
 * changed the same playbook at once. Carries `status` and `code` like `PlaybookError`, so the
 * gateway's error filter answers 409 `conflict_error`.
 */
export class PlaybookConflictError extends Error {
  override readonly name = 'PlaybookConflictError';
  readonly code = 'conflict_error';
  readonly status = 409;
  readonly details: { path: string; message: string }[] = [];

  constructor(
    readonly playbookId: string,
    readonly version: number,
  ) {
    super(
      `playbook ${playbookId} changed while this change was being made (version ${version} was just created by another edit); read the active version again and repeat the change on top of it`,
    );
  }
}

/** True when a write failed on a unique index (E11000), including inside a bulk write. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[]; cause?: unknown };
  if (e?.code === 11000) return true;
  if (e?.writeErrors?.some((w) => w.code === 11000)) return true;
  return e?.cause ? isDuplicateKey(e.cause) : false;
}
