/** Codes a caller can act on: a bad scenario, a bad command, an unknown family or index. */
export type LanderErrorCode =
  | 'invalid_scenario'
  | 'invalid_family'
  | 'invalid_command'
  | 'unknown_family'
  | 'unknown_scenario'
  | 'invalid_checkpoint';

/**
 * Input that makes no physical or logical sense. The message says what was wrong, where, and what
 * is allowed, so it can be shown to a person or returned to a model as a tool error.
 */
export class LanderError extends Error {
  override readonly name = 'LanderError';

  constructor(
    readonly code: LanderErrorCode,
    message: string,
    /** Each problem with its path, when there were several. */
    readonly problems: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}
