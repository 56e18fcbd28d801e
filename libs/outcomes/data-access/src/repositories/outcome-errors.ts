/**
 * The agent's outcome definition kept changing while this change was being stored (every retry
 * found its version number taken). Carries `status` and `code` like the other libraries' domain
 * errors, so the gateway's error filter answers 409 `conflict_error`.
 */
export class OutcomeDefinitionConflictError extends Error {
  override readonly name = 'OutcomeDefinitionConflictError';
  readonly code = 'conflict_error';
  readonly status = 409;
  readonly details: { path: string; message: string }[] = [];

  constructor(
    readonly agentId: string,
    attempts: number,
  ) {
    super(
      `the outcome definition of agent "${agentId}" changed ${attempts} times while this change was being stored; read it again (GET /v1/agents/${agentId}/outcome) and repeat the change`,
    );
  }
}

/**
 * A listing's `after_id` names no outcome of this tenant. Answered as 400
 * `invalid_request_error` by the gateway's error filter.
 */
export class UnknownOutcomeCursorError extends Error {
  override readonly name = 'UnknownOutcomeCursorError';
  readonly code = 'invalid_request_error';
  readonly status = 400;
  readonly details: { path: string; message: string }[];

  constructor(readonly afterId: string) {
    const message = `is not an outcome id; pass the last_id of the previous page`;
    super(`invalid query: query.after_id "${afterId}" ${message}`);
    this.details = [{ path: 'query.after_id', message }];
  }
}

/** True when a write failed on a unique index (E11000), including inside a bulk write. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; writeErrors?: { code?: number }[]; cause?: unknown };
  if (e?.code === 11000) return true;
  if (e?.writeErrors?.some((w) => w.code === 11000)) return true;
  return e?.cause ? isDuplicateKey(e.cause) : false;
}
