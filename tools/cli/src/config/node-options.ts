/** Node's own options from the environment (`NODE_OPTIONS`), as the heap worker reads its heap flag. */
export function nodeOptionsOf(env: Record<string, string | undefined> = process.env): string {
  return env['NODE_OPTIONS'] ?? '';
}
