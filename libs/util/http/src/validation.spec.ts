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
});
