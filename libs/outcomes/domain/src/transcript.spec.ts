import { modelTriageEvents, triage } from '../test/session-fixtures';
import { priceOf } from './token-pricing';
import { transcriptOf } from './transcript';

describe('transcriptOf', () => {
  it('writes one readable line per event with its step and actor', () => {
    const text = transcriptOf(modelTriageEvents(), 10_000);
    expect(text.split('\n')).toEqual(
      expect.arrayContaining([
        '[1] triager model call anthropic/claude-sonnet-4-5-20250929: 1000 in, 200 out',
        '[1] triager (assistant): Let me read the failing log.',
        '[1] triager calls read_lines {"start":1,"end":50}',
        '[2] tool error: invalid regular expression',
        '[3] triager observes {"result":{"answer":[{"start":40,"end":44}],"precision":0.6,"recall":0.6,"f1":0.6}}',
      ]),
    );
  });

  it('drops the middle of a long session, says how much, and keeps within the limit', () => {
    const events = Array.from({ length: 400 }, (_, i) =>
      triage.say(i, 'assistant', `thought number ${i}`),
    );
    const full = transcriptOf(events, 1_000_000);
    const text = transcriptOf(events, 2_000);
    expect(text.length).toBeLessThanOrEqual(2_000);
    expect(text.startsWith('[0] triager (assistant): thought number 0\n')).toBe(true);
    expect(text.endsWith('[399] triager (assistant): thought number 399')).toBe(true);
    const omitted = /\n\[… ([\d,]+) characters omitted …\]\n/.exec(text);
    if (!omitted) throw new Error(`no omission marker in ${text}`);
    const [head, tail] = text.split(omitted[0]);
    expect(head.length + tail.length + Number(omitted[1].replace(/,/g, ''))).toBe(full.length);
  });
});

describe('priceOf', () => {
  it('uses the longest matching prefix, prices builtin at nothing and unknown models at the default', () => {
    expect(priceOf('anthropic', 'claude-opus-4-5-20251101').price.input).toBe(5);
    expect(priceOf('anthropic', 'claude-opus-4-1-20250805').price.input).toBe(15);
    expect(priceOf('builtin', 'ci-log-triage')).toEqual({
      price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      known: true,
    });
    expect(priceOf('anthropic', 'claude-test')).toMatchObject({
      known: false,
      price: { input: 3, output: 15 },
    });
  });
});
