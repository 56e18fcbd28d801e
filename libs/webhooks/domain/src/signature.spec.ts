import { createHmac } from 'node:crypto';
import {
  generateSecret,
  secretKey,
  sign,
  verify,
  WebhookVerificationError,
  type WebhookHeaders,
} from './signature';

// The vector the Standard Webhooks reference libraries test against.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const AT = new Date(TIMESTAMP * 1000);

const headers = (over: Record<string, string | undefined> = {}): WebhookHeaders => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TIMESTAMP),
  'webhook-signature': SIGNATURE,
  ...over,
});

function rejection(h: WebhookHeaders, body = BODY, now = AT, secret = SECRET): string {
  try {
    verify(secret, h, body, { now });
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('sign', () => {
  it('matches the reference vector', () => {
    expect(sign(SECRET, ID, TIMESTAMP, BODY)).toBe(SIGNATURE);
  });

  it('is v1, + base64(HMAC-SHA256(base64-decoded secret, "id.timestamp.body"))', () => {
    const secret = generateSecret();
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const body = JSON.stringify({ type: 'dream.completed', data: { dream_id: 'drm_1' } });
    const byHand = createHmac('sha256', key).update(`msg_abc.1700000000.${body}`).digest('base64');
    expect(sign(secret, 'msg_abc', 1700000000, body)).toBe(`v1,${byHand}`);
    // The same bytes as a Buffer sign the same.
    expect(sign(secret, 'msg_abc', 1700000000, Buffer.from(body))).toBe(`v1,${byHand}`);
  });

  it('refuses an id with a full stop (it would make the signed content ambiguous)', () => {
    expect(() => sign(SECRET, 'msg.1', TIMESTAMP, BODY)).toThrow(/may not contain/);
  });
});

describe('generateSecret', () => {
  it('makes whsec_ + base64 of 32 random bytes, different each time', () => {
    const a = generateSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(a)).toHaveLength(32);
    expect(generateSecret()).not.toBe(a);
  });
});

describe('verify', () => {
  it('accepts the reference delivery and returns its id, timestamp and parsed body', () => {
    expect(verify(SECRET, headers(), BODY, { now: AT })).toEqual({
      id: ID,
      timestamp: TIMESTAMP,
      payload: { test: 2432232314 },
    });
  });

  it('accepts when any one of several space-separated signatures matches', () => {
    const h = headers({
      'webhook-signature': `v1,Zm9vYmFy v1a,aGVsbG8= ${SIGNATURE}`,
    });
    expect(verify(SECRET, h, BODY, { now: AT }).id).toBe(ID);
  });

  it('reads fetch Headers and node header arrays too', () => {
    const fetchHeaders = new Headers(headers() as Record<string, string>);
    expect(verify(SECRET, fetchHeaders, BODY, { now: AT }).id).toBe(ID);
    const repeated = { ...headers(), 'webhook-signature': ['v1,Zm9vYmFy', SIGNATURE] };
    expect(verify(SECRET, repeated, BODY, { now: AT }).id).toBe(ID);
  });

  it('rejects a tampered body, id or timestamp, and a wrong secret', () => {
    expect(rejection(headers(), '{"test": 2432232315}')).toMatch(/no v1 signature matches/);
    expect(rejection(headers({ 'webhook-id': 'msg_other' }))).toMatch(/no v1 signature/);
    expect(rejection(headers({ 'webhook-timestamp': String(TIMESTAMP + 1) }))).toMatch(
      /no v1 signature/,
    );
    expect(rejection(headers(), BODY, AT, generateSecret())).toMatch(/no v1 signature/);
  });

  it('rejects a timestamp outside the tolerance, old or in the future', () => {
    const later = new Date(AT.getTime() + 301_000);
    expect(rejection(headers(), BODY, later)).toMatch(/301 s old, more than the 300 s allowed/);
    const earlier = new Date(AT.getTime() - 301_000);
    expect(rejection(headers(), BODY, earlier)).toMatch(/in the future/);
    // Within the window it passes; the tolerance is adjustable.
    expect(verify(SECRET, headers(), BODY, { now: new Date(AT.getTime() + 299_000) }).id).toBe(ID);
    expect(() =>
      verify(SECRET, headers(), BODY, {
        now: new Date(AT.getTime() + 60_000),
        toleranceSeconds: 30,
      }),
    ).toThrow(/60 s old/);
  });

  it('says which header is missing or malformed', () => {
    expect(rejection(headers({ 'webhook-signature': undefined }))).toBe(
      'the webhook-signature header is missing',
    );
    expect(rejection(headers({ 'webhook-id': undefined }))).toMatch(/webhook-id header is missing/);
    expect(rejection(headers({ 'webhook-timestamp': '2021-02-25T15:02:10Z' }))).toMatch(
      /must be unix seconds/,
    );
    expect(
      rejection(headers({ 'webhook-signature': 'K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN' })),
    ).toMatch(/no v1 signature/);
  });
});
