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

const TYPE_BY_STATUS: Record<number, ApiErrorType | 'api_error' | 'overloaded_error'> = {
  422: 'invalid_request_error',
  400: 'invalid_request_error',
  401: 'authentication_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
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
    // Other libraries' domain errors (e.g. PlaybookError) carry a status, a code and details.
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
      typeof domain.code === 'string'
    ) {
      return {
        status: domain.status,
        type: domain.code,
        message: exception.message,
        details: domain.details,
      };
    }
    // Errors raised by the body parser before Nest sees the request.
    const parserError = exception as {
      type?: string;
      status?: number;
      expose?: boolean;
      message?: string;
    };
    if (parserError?.type === 'entity.parse.failed') {
      return {
        status: 400,
        type: 'invalid_request_error',
        message: 'request body is not valid JSON',
      };
    }
    if (parserError?.type === 'entity.too.large') {
      return {
        status: 413,
        type: 'request_too_large',
        message: 'request body is larger than the server accepts; send fewer events per request',
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
