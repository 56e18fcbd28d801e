/** What went wrong with a model call, in words a caller can branch on. */
export type ModelProviderErrorKind =
  /** The provider is set up wrongly (missing API key, unknown policy, no model). */
  | 'configuration'
  /** The API refused the request (4xx other than 429): retrying would not help. */
  | 'rejected'
  /** 429, 5xx or 529 overloaded, still failing after the last retry. */
  | 'unavailable'
  /** No answer within the timeout. */
  | 'timeout'
  /** The connection failed (refused, reset), still failing after the last retry. */
  | 'connection'
  /** The caller aborted the call (its request's `signal`): not retried. */
  | 'aborted'
  /** Not sent: it could cost more than is left of the caller's token budget (`withTokenBudget`). */
  | 'over_budget';

export interface ModelProviderErrorDetails {
  provider: string;
  kind: ModelProviderErrorKind;
  /** HTTP status, when the API answered. */
  status?: number;
  /** The API's error type, e.g. `rate_limit_error`, `overloaded_error`. */
  type?: string;
  /** The API's own message, from the error body. */
  apiMessage?: string;
  /** Attempts made, the failing one included. */
  attempts?: number;
  requestId?: string;
  cause?: unknown;
}

/** The one error type every provider throws; SDK errors are mapped to it. */
export class ModelProviderError extends Error {
  readonly provider: string;
  readonly kind: ModelProviderErrorKind;
  readonly status?: number;
  readonly type?: string;
  readonly apiMessage?: string;
  readonly attempts?: number;
  readonly requestId?: string;

  constructor(message: string, details: ModelProviderErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ModelProviderError';
    this.provider = details.provider;
    this.kind = details.kind;
    this.status = details.status;
    this.type = details.type;
    this.apiMessage = details.apiMessage;
    this.attempts = details.attempts;
    this.requestId = details.requestId;
  }
}
