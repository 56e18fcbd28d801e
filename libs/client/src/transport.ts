import { ReverieApiError, ReverieConnectionError, ReverieTimeoutError } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How the client retries a request the API could not take. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4; 1 turns retries off). */
  attempts?: number;
  /** The first backoff, doubled each retry, with full jitter (default 250 ms). */
  baseDelayMs?: number;
  /** The largest backoff between two attempts (default 5,000 ms). */
  maxDelayMs?: number;
  /**
   * The longest Retry-After the client waits for (default 30,000 ms): an API that asks for more
   * gets its error thrown at once, carrying `retryAfterMs`, for the caller to decide.
   */
  maxRetryAfterMs?: number;
}

export interface TransportOptions {
  /** The gateway's base URL, e.g. `http://localhost:3000` (no trailing slash needed). */
  baseUrl: string;
  /** An API key (`rvk_...`), sent as `x-api-key`. */
  apiKey?: string;
  /** Per-attempt timeout in ms (default 30,000). */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Headers added to every request (a user agent, a trace header). */
  headers?: Record<string, string>;
  /** Called before each retry: for progress output or logs. */
  onRetry?: (info: { request: string; attempt: number; delayMs: number; reason: string }) => void;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>;
  body?: unknown;
  /** `text` for a text body (a Markdown report). Default: JSON. */
  accept?: 'json' | 'text';
  /**
   * The call has the same effect however often it is made (events carry client ids; a cancel of a
   * canceled dream changes nothing), so it may be retried after a network error or a 502/504 too.
   * GET, PUT and DELETE are always; any call is retried on 429 and 503, which the API answers
   * before it acts.
   */
  idempotent?: boolean;
  /** Headers of this call (an `Idempotency-Key`), sent on every attempt. */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Statuses retried on any call. A 429 is answered before the API acts; so is a 503, except where
 * Kafka did not acknowledge in time and may still deliver: the calls that create something under a
 * new id (`sessions.create`, `sessions.sendFeedback`) carry an `Idempotency-Key` for that.
 */
const REFUSED_BEFORE_ACTING = new Set([429, 503]);
/** Statuses where the request may or may not have been acted on: idempotent calls only. */
const MAYBE_ACTED = new Set([502, 504]);

/**
 * HTTP with the API's conventions: the key header, JSON bodies, the error body, timeouts, and
 * bounded retries with exponential backoff that honour Retry-After.
 */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions>;

  constructor(readonly options: TransportOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new TypeError(`baseUrl must start with http:// or https://, got "${options.baseUrl}"`);
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((...args) => fetch(...args));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retry = {
      attempts: Math.max(1, options.retry?.attempts ?? 4),
      baseDelayMs: options.retry?.baseDelayMs ?? 250,
      maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
      maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? 30_000,
    };
  }

  get apiKey(): string | undefined {
    return this.options.apiKey;
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const request = `${method} ${path}`;
    const retriable = options.idempotent ?? ['GET', 'PUT', 'DELETE'].includes(method);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.attempts;
      try {
        return await this.once<T>(method, path, options);
      } catch (err) {
        const delayMs = last ? null : this.retryDelay(err, attempt, retriable);
        if (delayMs === null) throw err;
        this.options.onRetry?.({ request, attempt, delayMs, reason: (err as Error).message });
        await sleep(delayMs, options.signal);
      }
    }
  }

  /** How long to wait before attempt `attempt + 1`, or null when the error is final. */
  private retryDelay(err: unknown, attempt: number, retriable: boolean): number | null {
    const backoff =
      Math.random() * Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    if (err instanceof ReverieApiError) {
      const safe =
        REFUSED_BEFORE_ACTING.has(err.status) || (retriable && MAYBE_ACTED.has(err.status));
      if (!safe) return null;
      if (err.retryAfterMs === null) return backoff;
      return err.retryAfterMs > this.retry.maxRetryAfterMs ? null : err.retryAfterMs;
    }
    if (err instanceof ReverieConnectionError || err instanceof ReverieTimeoutError) {
      return retriable ? backoff : null;
    }
    return null; // the caller's abort, a body that is not JSON: not ours to retry
  }

  private async once<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<T> {
    const request = `${method} ${path}`;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers: this.headers(options),
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal,
      });
      text = await response.text();
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason ?? err;
      if (timeout.aborted) throw new ReverieTimeoutError(request, this.timeoutMs);
      throw new ReverieConnectionError(request, this.baseUrl, err);
    }
    const body = parseBody(text, response.headers.get('content-type'));
    if (!response.ok) {
      throw new ReverieApiError(
        request,
        response.status,
        body,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    return (options.accept === 'text' ? text : body) as T;
  }

  private url(path: string, query: RequestOptions['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined && v !== null) params.set(k, String(v));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? (path.includes('?') ? '&' : '?') + qs : ''}`;
  }

  private headers(options: RequestOptions): Record<string, string> {
    return {
      ...this.options.headers,
      accept: options.accept === 'text' ? 'text/markdown, text/plain, */*' : 'application/json',
      ...(this.options.apiKey ? { 'x-api-key': this.options.apiKey } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    };
  }
}

function parseBody(text: string, contentType: string | null): unknown {
  if (!text) return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** Retry-After in ms: delay-seconds or an HTTP date (RFC 9110 10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * A new `Idempotency-Key`: a random UUID (Web Crypto, in Node 20 and browsers), or 32 random hex
 * digits where `randomUUID` is missing (a page served over plain http).
 */
export function newIdempotencyKey(): string {
  const webCrypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof webCrypto?.randomUUID === 'function') return webCrypto.randomUUID();
  return Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join('');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
