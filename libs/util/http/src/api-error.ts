/**
 * Errors the API reports to clients. Each maps to one HTTP status and an error `type`, and its
 * message says what was wrong and what to do.
 */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'conflict_error'
  | 'request_too_large'
  /** An `Idempotency-Key` already used for another request (422). */
  | 'idempotency_error';

export interface FieldProblem {
  /** Where in the request, e.g. `events[3].type` or `query.limit`. */
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly type: ApiErrorType,
    readonly status: number,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }
}

export const invalidRequest = (message: string, details?: FieldProblem[]) =>
  new ApiError('invalid_request_error', 400, message, details);
export const unauthenticated = (message: string) =>
  new ApiError('authentication_error', 401, message);
export const forbidden = (message: string) => new ApiError('permission_error', 403, message);
export const notFound = (message: string) => new ApiError('not_found_error', 404, message);
export const conflict = (message: string) => new ApiError('conflict_error', 409, message);
export const tooLarge = (message: string) => new ApiError('request_too_large', 413, message);
/** A body the API does not read (not JSON, not utf-8): typed like body-parser's own 415s. */
export const unsupportedMediaType = (message: string) =>
  new ApiError('invalid_request_error', 415, message);
