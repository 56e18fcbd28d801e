import { decodeMessage } from './registry';
import { describePath, findUnstorable, MAX_MESSAGE_DEPTH } from './storable';
import { TOPICS } from './topics.constant';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

const appended = (data: unknown) => ({
  id: '2f1c7a52-6f7a-5b8e-9c1d-0a1b2c3d4e5f',
  type: 'session.event_appended',
  tenantId: 'acme',
  agentId: 'agt_1',
  sessionId: 'ses_1',
  occurredAt: '2026-11-22T10:00:00.000Z',
  schemaVersion: 1,
  payload: {
    receivedAt: '2026-11-22T10:00:00.100Z',
    event: { clientEventId: 'e-1', type: 'observation', data },
  },
});

describe('findUnstorable', () => {
  it('refuses a number that is not finite only when asked, naming its path', () => {
    const value = { a: { xs: [1, -Infinity] }, b: NaN };
    expect(findUnstorable(value, 10)).toBeNull();
    expect(findUnstorable(value, 10, { finiteNumbers: true })).toEqual({
      path: ['a', 'xs', 1],
      message: expect.stringMatching(/^is a number too large for JSON/),
    });
    expect(findUnstorable(Infinity, 10, { finiteNumbers: true })?.path).toEqual([]);
    expect(findUnstorable({ b: NaN }, 10, { finiteNumbers: true })?.path).toEqual(['b']);
    expect(findUnstorable([1.5e308, -0, 'Infinity', null], 10, { finiteNumbers: true })).toBeNull();
  });

  it('names the object holding a key with a NUL byte', () => {
    expect(findUnstorable({ data: { list: [{ 'a\u0000b': 1 }] } }, 10)).toEqual({
      path: ['data', 'list', 0],
      message: expect.stringContaining('"a\\u0000b", which contains a NUL byte'),
    });
  });

  it('allows $-prefixed and dotted keys, which MongoDB stores', () => {
    expect(findUnstorable({ $ref: '#/a', 'a.b': { $schema: 'x' } }, 10)).toBeNull();
  });

  it('counts levels from the root and stops at the limit', () => {
    expect(findUnstorable(nested(10), 10)).toBeNull();
    expect(findUnstorable(nested(11), 10)?.message).toMatch(/nested more than 10 levels deep/);
    expect(findUnstorable([[[1]]], 2)?.path).toEqual([0, 0]);
  });

  it('answers for 100,000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`);
    expect(findUnstorable(deep, 64)?.message).toMatch(/more than 64 levels/);
  });

  it('shortens long paths', () => {
    expect(describePath(Array.from({ length: 20 }, () => 'a'))).toBe('a.a.a.a.a.a.a.a.a.a.a.a.…');
    expect(describePath([])).toBe('(root)');
  });
});

describe('decodeMessage refuses what MongoDB cannot store', () => {
  it('rejects a NUL key and too deep data with the reason, accepts the rest', () => {
    const nul = decodeMessage(TOPICS.sessionEvents, JSON.stringify(appended({ 'a\u0000b': 1 })));
    expect(nul).toEqual({
      ok: false,
      reason: expect.stringMatching(/^payload\.event\.data has the key .* NUL byte/),
    });
    const deep = decodeMessage(
      TOPICS.sessionEvents,
      `${JSON.stringify(appended(null)).replace('"data":null', `"data":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`)}`,
    );
    expect(deep).toEqual({
      ok: false,
      reason: expect.stringMatching(new RegExp(`nested more than ${MAX_MESSAGE_DEPTH} levels`)),
    });
    expect(decodeMessage(TOPICS.sessionEvents, JSON.stringify(appended(nested(60)))).ok).toBe(true);
  });
});

describe('findUnstorable on values that are not objects', () => {
  it.each([null, 5, 'text', true, undefined])('finds nothing wrong with %p', (value) => {
    expect(findUnstorable(value, 3)).toBeNull();
  });

  it('names the path of a problem inside arrays and objects', () => {
    const value = { a: [{ ok: 1 }, { b: { ['x\u0000y']: 1 } }] };
    expect(findUnstorable(value, 10)?.path).toEqual(['a', 1, 'b']);
    expect(findUnstorable({ a: [[[1]]] }, 3)?.path).toEqual(['a', 0, 0]);
  });
});
