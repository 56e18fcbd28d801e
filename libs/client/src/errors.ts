/** The error body every Reverie API error has: `{type: "error", error: {type, message, details}}`. */
export interface ApiErrorBody {
  type: 'error';
  error: {
    type: string;
    message: string;
    details?: { path: string; message: string }[];
    [key: string]: unknown;
  };
}

/** Any failure the client reports: an answer from the API, or none at all. */
export class ReverieError extends Error {
  constructor(
    message: string,
    /** The request, as `METHOD /path`. */
    readonly request: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The API answered with an error status: `status`, and the API's own error `type`, `message` and
 * `details` as it said them (`invalid_request_error`, `not_found_error`, `overloaded_error`, ...).
 */
export class ReverieApiError extends ReverieError {
  readonly type: string;
  readonly details: { path: string; message: string }[];

  constructor(
    request: string,
    readonly status: number,
    /** The parsed body (an ApiErrorBody when the API wrote it), or the text of one that is not JSON. */
    readonly body: unknown,
    /** How long the API asked to wait before trying again (Retry-After), in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    const error = isApiErrorBody(body) ? body.error : null;
    const message = error?.message ?? (typeof body === 'string' && body ? body : `HTTP ${status}`);
    const detail = error?.details?.[0]
      ? ` (${error.details[0].path}: ${error.details[0].message})`
      : '';
    super(`${request} failed with ${status}: ${message}${detail}`, request);
    this.type = error?.type ?? `http_${status}`;
    this.details = error?.details ?? [];
  }

  /** The key is wrong, expired or revoked. */
  get unauthorized(): boolean {
    return this.status === 401;
  }
}

/** No answer: the API could not be reached, or the connection broke before it answered. */
export class ReverieConnectionError extends ReverieError {
  constructor(
    request: string,
    baseUrl: string,
    override readonly cause: unknown,
  ) {
    super(`${request}: cannot reach the API at ${baseUrl} (${describeCause(cause)})`, request);
  }
}

/** The API did not answer within the client's timeout. */
export class ReverieTimeoutError extends ReverieError {
  constructor(
    request: string,
    readonly timeoutMs: number,
  ) {
    super(`${request}: no answer within ${timeoutMs} ms`, request);
  }
}

export function isApiErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as { type?: unknown; error?: { message?: unknown } };
  return b.type === 'error' && typeof b.error?.message === 'string';
}

function describeCause(cause: unknown): string {
  // Duck-typed: errors from fetch may come from another realm (instanceof Error fails there).
  const err = cause as { message?: unknown; code?: unknown; cause?: unknown } | null;
  if (typeof err !== 'object' || err === null) return String(cause);
  // fetch wraps the socket's error: `TypeError: fetch failed` with `cause: Error: connect ECONNREFUSED`.
  const inner = err.cause as { message?: unknown } | null | undefined;
  if (
    typeof inner === 'object' &&
    inner !== null &&
    typeof inner.message === 'string' &&
    inner.message
  ) {
    return inner.message;
  }
  return typeof err.message === 'string' ? err.message : String(cause);
}
