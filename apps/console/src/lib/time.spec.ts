import { utcInstant } from './time';

describe('utcInstant', () => {
  it('reads a datetime-local value as UTC, keeps a zone, and leaves an empty filter out', () => {
    expect(utcInstant('2026-11-22T10:30')).toBe('2026-11-22T10:30:00Z');
    expect(utcInstant('2026-11-22T10:30:15')).toBe('2026-11-22T10:30:15Z');
    expect(utcInstant('2026-11-22T10:30:00+02:00')).toBe('2026-11-22T10:30:00+02:00');
    expect(utcInstant('2026-11-22T10:30:00Z')).toBe('2026-11-22T10:30:00Z');
    expect(utcInstant('')).toBeUndefined();
  });
});
