import { z } from 'zod';
import { formatPath, parseOrThrow } from './validation';

describe('validation messages', () => {
  it('formats paths the way a person writes them', () => {
    expect(formatPath(['events', 3, 'type'])).toBe('events[3].type');
    expect(formatPath(['type'], 'events[2]')).toBe('events[2].type');
    expect(formatPath([], 'events[2]')).toBe('events[2]');
    expect(formatPath([])).toBe('(body)');
  });

  it('throws a 400 naming the first problem and how many more there are', () => {
    const schema = z.object({ a: z.string(), b: z.number() });
    expect(() => parseOrThrow(schema, {}, 'thing')).toThrow(/^invalid thing: a .* \(and 1 more\)$/);
  });

  it('refuses what MongoDB cannot store before the schema sees it', () => {
    const schema = z.object({ events: z.array(z.unknown()) });
    const nul = { events: [{ data: { 'a\u0000b': 1 } }] };
    expect(() => parseOrThrow(schema, nul, 'event batch')).toThrow(
      /^invalid event batch: events\[0\]\.data has the key "a\\u0000b", which contains a NUL byte/,
    );
    const deep = JSON.parse(`{"events":[${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}]}`);
    expect(() => parseOrThrow(schema, deep, 'event batch')).toThrow(
      /^invalid event batch: events\[0\]\.a\.a.* is nested more than 64 levels deep/,
    );
    const fine = { events: [{ data: { $ref: '#/x', 'a.b': 1 } }] };
    expect(parseOrThrow(schema, fine, 'event batch')).toEqual(fine);
  });

  it('refuses a number JSON cannot carry (1e400 parses as Infinity) by its path', () => {
    const schema = z.object({ events: z.array(z.unknown()) });
    const body = JSON.parse('{"events":[{"data":{"ok":1}},{"data":{"xs":[1,-1e400]}}]}');
    expect(() => parseOrThrow(schema, body, 'event batch')).toThrow(
      /^invalid event batch: events\[1\]\.data\.xs\[1\] is a number too large for JSON/,
    );
    try {
      parseOrThrow(schema, body, 'event batch');
    } catch (err) {
      expect((err as { status: number }).status).toBe(400);
      expect((err as { details: unknown }).details).toEqual([
        { path: 'events[1].data.xs[1]', message: expect.stringMatching(/send it as a string/) },
      ]);
    }
    expect(() => parseOrThrow(z.unknown(), JSON.parse('1e400'), 'body')).toThrow(
      /^invalid body: \(body\) is a number too large/,
    );
    const finite = { a: [1.5e308, -0, 'Infinity', null] };
    expect(parseOrThrow(z.unknown(), finite, 'body')).toEqual(finite);
    expect(() => parseOrThrow(z.unknown(), { q: NaN }, 'query', 'query')).toThrow(
      /^invalid query: query\.q is a number too large/,
    );
  });
});
