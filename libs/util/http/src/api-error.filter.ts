import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { isUnavailable } from '@reverie/kafka';
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
    if (
      exception instanceof Error &&
      (isUnavailable(exception) || /KafkaJS/.test(exception.message))
    ) {
      this.logger.error(`dependency unavailable: ${exception.message}`);
      return {
        status: 503,
        type: 'overloaded_error',
        message: 'a backing service is unavailable; retry shortly',
      };
    }
    this.logger.error(
      exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
    );
    return { status: 500, type: 'api_error', message: 'internal error' };
  }
}
