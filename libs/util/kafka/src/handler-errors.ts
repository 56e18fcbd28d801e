import { ContractViolationError } from './event-publisher';
import { isErrorLike, isUnavailable } from './unavailable';

/**
 * Thrown by a handler for a message that can never be handled (bad data, a missing definition):
 * the transport dead-letters the message at once, with this message as the reason.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}

/**
 * Thrown by a handler for a message that may be handled later (what it needs is not stored
 * yet): the transport retries it with back-off, a bounded number of times, then dead-letters it.
 */
export class RetriableError extends Error {
  override readonly name = 'RetriableError';
}

/**
 * - `permanent`: retrying cannot help; dead-letter the message now.
 * - `retriable`: may pass on a later attempt; bounded retries with back-off.
 * - `unavailable`: a dependency (MongoDB, Kafka) is down, which says nothing about the message;
 *   wait for it (longer, but still bounded) before treating it as retriable past its budget.
 */
export type ErrorClass = 'permanent' | 'retriable' | 'unavailable';

/** Code-level bugs and values that cannot be encoded: the same input fails the same way. */
const PERMANENT_NAMES = new Set([
  'BSONError',
  'BSONVersionError',
  'RangeError',
  'TypeError',
  'ReferenceError',
  'SyntaxError',
  // mongoose: a document its schema refuses.
  'ValidationError',
  'CastError',
  'StrictModeError',
  'ObjectParameterError',
]);

/** MongoDB server codes for a write that will never succeed as sent. */
const PERMANENT_MONGO_CODES = new Set([
  2, // BadValue
  9, // FailedToParse
  14, // TypeMismatch
  15, // Overflow
  17, // ProtocolError
  22, // InvalidBSON
  52, // DollarPrefixedFieldName
  55, // InvalidDBRef
  56, // EmptyFieldName
  57, // DottedFieldName
  121, // DocumentValidationFailure
  10334, // BSONObjectTooLarge
  17280, // KeyTooLong
  17419, // document too large after update
]);

/** Sorts an error a handler threw by whether retrying can help; looks through `cause` too. */
export function classifyError(err: unknown): ErrorClass {
  // isErrorLike, not instanceof Error: a socket error made by Node in another realm (under Jest)
  // is still an outage to wait out.
  for (let e: unknown = err, depth = 0; isErrorLike(e) && depth < 5; depth++) {
    if (e instanceof PermanentError || e instanceof ContractViolationError) return 'permanent';
    if (e instanceof RetriableError) return 'retriable';
    if (isUnavailable(e)) return 'unavailable';
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && e.name.startsWith('Mongo') && PERMANENT_MONGO_CODES.has(code))
      return 'permanent';
    if (PERMANENT_NAMES.has(e.name)) return 'permanent';
    e = e.cause;
  }
  return 'retriable';
}

/** One line for logs and the dead-letter reason header: the error's name and message. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) {
    const message = (err as { message?: unknown } | null)?.message;
    return typeof message === 'string' ? message : String(err);
  }
  // The transport's own classes: their message is the reason, written for the reader.
  if (err instanceof PermanentError || err instanceof RetriableError) return err.message;
  const code = (err as { code?: unknown }).code;
  return `${err.name}${code === undefined ? '' : ` (code ${String(code)})`}: ${err.message}`;
}
