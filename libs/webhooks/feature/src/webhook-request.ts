import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  normalizeHost,
  resolvedAddressesProblem,
  STRICT_NETWORK_POLICY,
  WEBHOOK_HEADERS,
  webhookUrlProblem,
  type WebhookNetworkPolicy,
} from '@reverie/webhooks-domain';

export interface SignedRequest {
  url: string;
  id: string;
  /** Unix seconds. */
  timestamp: number;
  signature: string;
  body: string;
}

/** Why an attempt failed, in our words: never the receiver's. */
export type WebhookErrorType =
  | 'address_refused'
  | 'dns_failed'
  | 'connection_refused'
  | 'connection_failed'
  | 'tls_failed'
  | 'timeout'
  | 'http_status';

/** What came back from one POST: the status and headers we act on, never the body. */
export interface PostResult {
  /** Null when no response came. */
  statusCode: number | null;
  /** Set when no response came (refused address, network error, timeout). */
  errorType: WebhookErrorType | null;
  error: string | null;
  /** The response's `Retry-After`, or null. */
  retryAfter: string | null;
  location: string | null;
}

/** Resolves a host name to every address it has (the system resolver by default). */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface PostOptions {
  /** How long the whole attempt may take, DNS and response headers included. */
  timeoutMs: number;
  policy?: WebhookNetworkPolicy;
  resolve?: Resolver;
}

/**
 * POSTs one signed delivery. The host is resolved first and every address it resolves to is
 * checked against the network policy; the connection then goes to those checked addresses (the
 * socket's `lookup` answers with them instead of asking DNS again), so a name cannot be switched
 * to an internal address between the check and the connection. Redirects are not followed
 * (Standard Webhooks counts a 3xx as a failure), and the response body is never read: a receiver
 * cannot use a delivery to show us, or the tenant, what it answered. Never throws.
 */
export async function postWebhook(
  request: SignedRequest,
  options: PostOptions,
): Promise<PostResult> {
  const { timeoutMs, policy = STRICT_NETWORK_POLICY, resolve = systemResolver } = options;
  const deadline = AbortSignal.timeout(timeoutMs);
  const fail = (errorType: WebhookErrorType, error: string): PostResult => ({
    statusCode: null,
    errorType,
    error,
    retryAfter: null,
    location: null,
  });

  // Checked again here: the scheme, credentials, and the host as written.
  const urlProblem = webhookUrlProblem(request.url, policy);
  if (urlProblem) return fail('address_refused', `not sent: the URL ${urlProblem}`);
  const url = new URL(request.url);
  const host = normalizeHost(url.hostname);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await withDeadline(resolve(host), deadline);
    } catch (err) {
      if (deadline.aborted) return fail('timeout', `no response within ${timeoutMs} ms`);
      return fail('dns_failed', `${host} could not be resolved (${codeOf(err) ?? 'no address'})`);
    }
    const problem = resolvedAddressesProblem(host, addresses, policy);
    if (problem) return fail('address_refused', `not sent: the URL ${problem}`);
  }

  try {
    const response = await send(url, request, pinnedLookup(addresses), deadline);
    return {
      statusCode: response.statusCode ?? null,
      errorType: null,
      error: null,
      retryAfter: header(response, 'retry-after'),
      location: header(response, 'location'),
    };
  } catch (err) {
    if (deadline.aborted) return fail('timeout', `no response within ${timeoutMs} ms`);
    return describeFailure(err, fail);
  }
}

/** Sends the request and resolves with the response's head; the body is discarded unread. */
function send(
  url: URL,
  request: SignedRequest,
  lookupPinned: LookupFunction,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const body = Buffer.from(request.body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: 'POST',
      signal,
      // A fresh connection per attempt, to the address just checked.
      agent: false,
      lookup: lookupPinned,
      headers: {
        'content-type': 'application/json',
        'content-length': body.byteLength,
        'user-agent': 'reverie-webhooks/1',
        [WEBHOOK_HEADERS.id]: request.id,
        [WEBHOOK_HEADERS.timestamp]: String(request.timestamp),
        [WEBHOOK_HEADERS.signature]: request.signature,
      },
    });
    req.once('response', (response) => {
      resolve(response);
      // What the receiver says is not ours to keep: close without reading it.
      response.destroy();
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** A socket `lookup` that answers with addresses already resolved and checked. */
function pinnedLookup(addresses: string[]): LookupFunction {
  const entries = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    const usable = entries.filter((e) => !wanted || e.family === wanted);
    if (usable.length === 0) {
      const err = Object.assign(new Error('no checked address of the wanted family'), {
        code: 'ENOTFOUND',
      });
      callback(err, '', 0);
      return;
    }
    // Node's own callback takes either shape, depending on `all`.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const done = callback as (...args: any[]) => void;
    if (options.all) done(null, usable);
    else done(null, usable[0].address, usable[0].family);
  };
}

function withDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function header(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A network failure as our own type and message (the code, never text from the other side). */
function describeFailure(
  err: unknown,
  fail: (type: WebhookErrorType, message: string) => PostResult,
): PostResult {
  const code = codeOf(err) ?? 'unknown';
  if (code === 'ECONNREFUSED')
    return fail('connection_refused', `the connection was refused (${code})`);
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL'))
    return fail('tls_failed', `the TLS handshake failed (${code})`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return fail('dns_failed', `the host could not be resolved (${code})`);
  return fail('connection_failed', `the connection failed (${code})`);
}
