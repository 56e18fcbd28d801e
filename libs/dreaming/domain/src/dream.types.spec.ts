import { addUsage, isTerminal, totalTokens, ZERO_USAGE } from './dream.types';
import { usage } from './testing/dream.builders';

describe('usage', () => {
  it('adds field by field, counting what the other side leaves out as 0', () => {
    const sum = addUsage(addUsage(ZERO_USAGE, usage(10, 5, 3, 2)), { input_tokens: 1 });
    expect(sum).toEqual(usage(11, 5, 3, 2));
    expect(totalTokens(sum)).toBe(21);
    expect(ZERO_USAGE).toEqual(usage(0, 0));
  });
});

describe('isTerminal', () => {
  it('holds for the statuses a dream ends in', () => {
    expect(
      ['pending', 'running', 'completed', 'failed', 'canceled'].filter((s) =>
        isTerminal(s as never),
      ),
    ).toEqual(['completed', 'failed', 'canceled']);
  });
});
