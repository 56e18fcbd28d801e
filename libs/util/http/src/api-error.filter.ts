import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { isErrorLike, unavailableCause, unavailableDependency } from '@reverie/kafka';
import { ApiError, type ApiErrorType, type FieldProblem } from './api-error';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';

/** The shape of a domain error's `code`: an error type such as `content_rejected`. */
const DOMAIN_CODE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

const TYPE_BY_STATUS: Record<number, ApiErrorType | 'api_error' | 'overloaded_error'> = {
  422: 'invalid_request_error',
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  503: 'overloaded_error',
};

/**
 * Every error leaves as `{ type: "error", error: { type, message, details? } }` with the right
 * status. Unexpected errors are logged with their stack and answered with a plain 500: a client
 * never sees a stack trace. Only HTTP requests: other contexts (Kafka handlers) get their error
 * back as it was thrown.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    // A global filter also sees Kafka handlers' errors: those are the transport's to classify and
    // retry or dead-letter, so hand them back untouched (an HTTP response does not exist there).
    if (host.getType() !== 'http') return throwError(() => exception);
    const response = host.switchToHttp().getResponse<Response>();
    const { status, type, message, details } = this.describe(exception);
    response.status(status).json({ type: 'error', error: { type, message, details } });
  }

  private describe(exception: unknown) {
    if (exception instanceof ApiError) {
      return {
        status: exception.status,
        type: exception.type,
        message: exception.message,
        details: exception.details,
      };
    }
    // Errors raised by the body parser (and its decompressor) before Nest sees the request.
    const parser = bodyParserError(exception);
    if (parser) return parser;
    // Other libraries' domain errors (e.g. PlaybookError) carry a status, a code and details. Their
    // codes are snake_case error types; Node's own codes (zlib's `Z_DATA_ERROR`) are no such type.
    const domain = exception as {
      status?: unknown;
      code?: unknown;
      message?: string;
      details?: FieldProblem[];
    };
    if (
      exception instanceof Error &&
      typeof domain.status === 'number' &&
      domain.status >= 400 &&
      domain.status < 500 &&
      typeof domain.code === 'string' &&
      DOMAIN_CODE.test(domain.code)
    ) {
      return {
        status: domain.status,
        type: domain.code,
        message: exception.message,
        details: domain.details,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message =
        typeof body === 'string'
          ? body
          : String((body as { message?: unknown }).message ?? exception.message);
      // Nest turns the body parser's SyntaxError into a bare 400 with the parser's words.
      const badJson = status === 400 && exception.cause === undefined && /JSON/.test(message);
      if (badJson && isJsonScalar(strictViolationBody(message))) {
        return { status, type: 'invalid_request_error' as const, message: NOT_AN_OBJECT };
      }
      return {
        status,
        type: TYPE_BY_STATUS[status] ?? 'api_error',
        message: badJson ? `request body is not valid JSON: ${message}` : message,
      };
    }
    const unavailable = this.unavailable(exception);
    if (unavailable) return unavailable;
    // Once, with the stack as its own field (JsonLogger's `stack`): the client only gets "internal
    // error", so this line is all anyone will have. Not `instanceof Error`: an error from another
    // realm (Node's own, under Jest) has a stack too.
    if (isErrorLike(exception)) {
      this.logger.error(`${exception.name}: ${exception.message}`, exception.stack ?? '(no stack)');
    } else {
      this.logger.error(`non-error thrown: ${String(exception)}`);
    }
    return { status: 500, type: 'api_error', message: 'internal error' };
  }

  /**
   * A 503 with the dependency named when MongoDB or Kafka cannot be reached (looking through
   * `cause`: a wrapped outage is still an outage, never a 500), logged as a warning without a
   * stack: the reason is the whole story, and it is the dependency that failed, not this code.
   */
  private unavailable(exception: unknown) {
    const cause = unavailableCause(exception);
    const kafkaText = isErrorLike(exception) && /KafkaJS/.test(exception.message);
    if (!cause && !kafkaText) return undefined;
    const dependency = cause ? unavailableDependency(cause) : 'Kafka';
    const code = (cause as { code?: unknown } | undefined)?.code;
    const reason = cause
      ? `${cause.name}${typeof code === 'string' ? ` (${code})` : ''}: ${cause.message}`
      : (exception as Error).message;
    this.logger.warn(`${dependency ?? 'a dependency'} unavailable: ${reason}`);
    return {
      status: 503,
      type: 'overloaded_error' as const,
      message: `${dependency ?? 'a backing service'} is unavailable; retry shortly`,
    };
  }
}

type Described = { status: number; type: ApiErrorType; message: string };

/**
 * body-parser's errors carry a `type` (see body-parser's and raw-body's docs); a body that does
 * not decompress comes up as zlib's own error (`code`, `errno`) with the parser's status 400.
 * Each gets a status and message a client can act on. `stream.encoding.set` and
 * `stream.not.readable` are this server's mistakes (another middleware read the body first):
 * undefined here, so they are logged and answered as a plain 500 like any other bug.
 */
function bodyParserError(exception: unknown): Described | undefined {
  if (exception === null || typeof exception !== 'object') return undefined;
  const e = exception as {
    type?: unknown;
    status?: unknown;
    code?: unknown;
    errno?: unknown;
    body?: unknown;
    charset?: unknown;
    encoding?: unknown;
    message?: unknown;
  };
  const invalid = (status: number, message: string): Described => ({
    status,
    type: 'invalid_request_error',
    message,
  });
  switch (e.type) {
    case 'entity.parse.failed':
      return invalid(400, isJsonScalar(e.body) ? NOT_AN_OBJECT : 'request body is not valid JSON');
    case 'entity.too.large':
      return {
        status: 413,
        type: 'request_too_large',
        message: 'request body is larger than the server accepts; send fewer events per request',
      };
    case 'encoding.unsupported':
      return invalid(
        415,
        `content-encoding ${JSON.stringify(String(e.encoding ?? ''))} is not supported; send the body as identity, gzip, deflate or br`,
      );
    case 'charset.unsupported':
      return invalid(
        415,
        `charset ${JSON.stringify(String(e.charset ?? ''))} is not supported; send JSON as utf-8`,
      );
    case 'request.aborted':
      return invalid(400, 'the request was aborted before its body was read');
    case 'request.size.invalid':
      return invalid(400, 'request body is not as long as its content-length says');
    case 'parameters.too.many':
      return { status: 413, type: 'request_too_large', message: 'request has too many parameters' };
  }
  // A gzip / deflate / br body that does not decompress: zlib says why ("incorrect header check").
  if (e.status === 400 && typeof e.errno === 'number' && typeof e.code === 'string') {
    const why = typeof e.message === 'string' && e.message ? ` (${e.message})` : '';
    return invalid(400, `request body could not be decoded as its content-encoding says${why}`);
  }
  return undefined;
}

const NOT_AN_OBJECT = 'request body must be a JSON object';

/**
 * The body quoted in the strict JSON parser's refusal of a body that starts with neither `{` nor
 * `[` (`Unexpected token 'n', "null" is not valid JSON`): all Nest passes on of it. A long body is
 * cut short there (`"xxx"... is not`), and is then no JSON of its own.
 */
function strictViolationBody(message: string): string | undefined {
  return /^Unexpected token .+?, "(.*)" is not valid JSON$/s.exec(message)?.[1];
}

/**
 * True when a body the strict JSON parser refused is JSON all the same, only not an object or an
 * array (`null`, `1`, `"x"`): worth a message of its own, since the client did send valid JSON.
 */
function isJsonScalar(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  const first = body.trimStart()[0];
  if (first === '{' || first === '[') return false;
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}
