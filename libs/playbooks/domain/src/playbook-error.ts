/**
 * Why a playbook operation was refused. Feature libraries map `code` to their transport (the
 * suggested HTTP status is in `PLAYBOOK_ERROR_STATUS`); the message already says what was wrong and
 * what to do, so it can be shown to the caller as it is.
 */
export type PlaybookErrorCode =
  | 'invalid_delta'
  | 'invalid_condition'
  | 'entry_not_found'
  | 'duplicate_entry'
  | 'entry_retired'
  | 'no_change'
  | 'version_not_found'
  | 'invalid_transition'
  | 'content_rejected';

export const PLAYBOOK_ERROR_STATUS: Record<PlaybookErrorCode, number> = {
  invalid_delta: 400,
  invalid_condition: 400,
  entry_not_found: 404,
  duplicate_entry: 409,
  entry_retired: 409,
  no_change: 409,
  version_not_found: 404,
  invalid_transition: 409,
  content_rejected: 422,
};

export interface PlaybookProblem {
  /** Where, e.g. `deltas[2].patch.title`, `entries[pb-1a2b].guidance` or `when.all[0].op`. */
  path: string;
  message: string;
}

export class PlaybookError extends Error {
  override readonly name = 'PlaybookError';

  constructor(
    readonly code: PlaybookErrorCode,
    message: string,
    readonly details: PlaybookProblem[] = [],
  ) {
    super(message);
  }

  get status(): number {
    return PLAYBOOK_ERROR_STATUS[this.code];
  }
}

/** `['patch', 'evidence', 3, 'note']` -> `patch.evidence[3].note` */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  return path.reduce<string>(
    (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
    prefix,
  );
}
