import { RESPONSE_EXCERPT_BYTES } from '@reverie/webhooks-data-access';
import { WEBHOOK_HEADERS } from '@reverie/webhooks-domain';

export interface SignedRequest {
  url: string;
  id: string;
  /** Unix seconds. */
  timestamp: number;
  signature: string;
  body: string;
}

/** What came back from one POST. */
export interface PostResult {
  /** Null when no response came. */
  statusCode: number | null;
  responseBody: string | null;
  /** Set when no response came (network error, timeout). */
  error: string | null;
  /** The response's `Retry-After`, or null. */
  retryAfter: string | null;
  location: string | null;
}

/**
 * POSTs one signed delivery. Redirects are not followed (Standard Webhooks counts a 3xx as a
 * failure: the URL should be updated instead), and at most the first 2 KB of the response body
 * are read. Never throws.
 */
export async function postWebhook(request: SignedRequest, timeoutMs: number): Promise<PostResult> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'reverie-webhooks/1',
        [WEBHOOK_HEADERS.id]: request.id,
        [WEBHOOK_HEADERS.timestamp]: String(request.timestamp),
        [WEBHOOK_HEADERS.signature]: request.signature,
      },
      body: request.body,
    });
  } catch (err) {
    return {
      statusCode: null,
      responseBody: null,
      error: describeFailure(err, timeoutMs),
      retryAfter: null,
      location: null,
    };
  }
  let responseBody: string | null = null;
  let error: string | null = null;
  try {
    responseBody = await readExcerpt(response, RESPONSE_EXCERPT_BYTES);
  } catch (err) {
    error = `the response body could not be read: ${describeFailure(err, timeoutMs)}`;
  }
  return {
    statusCode: response.status,
    responseBody,
    error,
    retryAfter: response.headers.get('retry-after'),
    location: response.headers.get('location'),
  };
}

/** The first `limit` bytes of the body as text; the rest is not downloaded. */
async function readExcerpt(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function describeFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return `no response within ${timeoutMs} ms`;
  const cause = e?.cause?.message ?? e?.cause?.code;
  return cause ? `${e?.message ?? 'request failed'}: ${cause}` : (e?.message ?? String(err));
}
