import { isDuplicateKey } from './mongo-errors';

describe('isDuplicateKey', () => {
  it('recognises E11000 alone, inside a bulk write, and as a cause', () => {
    expect(isDuplicateKey({ code: 11000 })).toBe(true);
    expect(isDuplicateKey({ code: 1, writeErrors: [{ code: 11000 }] })).toBe(true);
    expect(isDuplicateKey(new Error('wrapped', { cause: { code: 11000 } }))).toBe(true);
  });

  it('does not mistake other failures for duplicates', () => {
    expect(isDuplicateKey(new Error('connection reset'))).toBe(false);
    expect(isDuplicateKey({ code: 121 })).toBe(false);
    expect(isDuplicateKey(undefined)).toBe(false);
  });
});
