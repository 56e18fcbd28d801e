/**
 * The console's one way to the public REST API: fetch with the API key, JSON in and out, and the
 * API's error body turned into an `ApiError` whose message is the API's own. Nothing else in the
 * console calls the API otherwise; the transport underneath is `@reverie/client`'s.
 */

import {
  HttpTransport,
  ReverieApiError,
  ReverieConnectionError,
  ReverieError,
  ReverieTimeoutError,
  type HttpMethod,
} from '@reverie/client';

export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * An error the API answered with, as the API said it; or no answer at all (status 0): type
 * `network_error` when the API could not be reached, `timeout` when it did not answer in time.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The key is wrong, revoked or expired: the console goes back to sign in. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

/** The error a response body describes; the API's shape is `{type: "error", error: {...}}`. */
export function errorFromBody(status: number, body: unknown, statusText = ''): ApiError {
  const error = (body as { error?: { type?: unknown; message?: unknown; details?: unknown } })
    ?.error;
  if (error && typeof error.message === 'string') {
    const details = Array.isArray(error.details)
      ? error.details.filter(
          (d): d is FieldProblem =>
            typeof d?.path === 'string' && typeof (d as FieldProblem).message === 'string',
        )
      : [];
    return new ApiError(status, String(error.type ?? 'api_error'), error.message, details);
  }
  const text = typeof body === 'string' && body.trim() ? `: ${body.trim().slice(0, 300)}` : '';
  return new ApiError(status, 'http_error', `HTTP ${status} ${statusText}`.trim() + text);
}

export interface HttpOptions {
  /** Origin of the API; '' for the page's own (the gateway serves the console). */
  baseUrl: string;
  apiKey: string;
  /** Called once per 401, before the error is thrown. */
  onUnauthenticated?: (error: ApiError) => void;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** A client error as the console shows it: the API's own words, or status 0 when none came. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ReverieApiError) return errorFromBody(err.status, err.body);
  if (err instanceof ReverieTimeoutError)
    return new ApiError(0, 'timeout', `${err.request} got no answer within ${err.timeoutMs} ms`);
  if (err instanceof ReverieConnectionError || err instanceof ReverieError)
    return new ApiError(0, 'network_error', err.message);
  throw err;
}

/**
 * What an error is, as the title of its message: the API refused a request only when it answered
 * one (4xx); no answer is a connection failure or a timeout, and a 5xx is the API's own failure.
 */
export function errorTitle(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong';
  if (error.status === 0)
    return error.type === 'timeout' ? 'The API did not answer in time' : 'Could not reach the API';
  if (error.status >= 500) return 'The API failed';
  return 'The API refused this';
}

/** The console's calls, over @reverie/client's transport (its retries, timeouts and errors). */
export class Http {
  private readonly transport: HttpTransport;

  constructor(private readonly options: HttpOptions) {
    this.transport = new HttpTransport({
      // '' is the page's own origin: the gateway serves the console.
      baseUrl: options.baseUrl || globalThis.location?.origin || 'http://localhost:3000',
      apiKey: options.apiKey,
      retry: { attempts: 3 },
    });
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.send<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown, query?: Query): Promise<T> {
    return this.send<T>('POST', withQuery(path, query), body ?? {});
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown, query?: Query): Promise<T> {
    return this.send<T>('PATCH', withQuery(path, query), body);
  }

  delete<T>(path: string): Promise<T> {
    return this.send<T>('DELETE', path);
  }

  /** A text body (e.g. a Markdown report) with the key, for a download. */
  text(path: string, query?: Query): Promise<string> {
    return this.transport
      .request<string>('GET', withQuery(path, query), { accept: 'text' })
      .catch((err: unknown) => {
        throw this.fail(toApiError(err));
      });
  }

  private send<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
    return this.transport
      .request<T>(method, path, body === undefined ? {} : { body })
      .then((answer) => (answer === undefined ? (null as T) : answer))
      .catch((err: unknown) => {
        throw this.fail(toApiError(err));
      });
  }

  private fail(error: ApiError): ApiError {
    if (error.unauthenticated) this.options.onUnauthenticated?.(error);
    return error;
  }
}
