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
});
