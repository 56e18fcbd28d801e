import type { Extractor } from './builtin-extractor';
import { runEpisode } from './episode';
import type { TriageCase } from './triage-case';

const aCase = (over: Partial<TriageCase> = {}): TriageCase => ({
  id: 'demo_1',
  format: 'DEFAULT',
  failLines: ['start', 'compile', '[ERROR] broken', 'more', 'BUILD FAILURE', 'done'],
  passLines: ['start', 'compile', 'BUILD SUCCESS', 'done'],
  errorRanges: [{ start: 3, end: 3 }],
  contextRanges: [],
  ...over,
});

describe('runEpisode', () => {
  it('records the heuristic, each rule and the submitted answer as numbered steps', () => {
    const episode = runEpisode(aCase(), {
      rules: [{ id: 'no-more', when: { lineMatches: '^more$' }, then: { action: 'exclude' } }],
    });
    expect(episode.caseId).toBe('demo_1');
    // the heuristic took the lines pass.log lacks but the status line; the rule then drops one
    expect(episode.answer).toEqual([{ start: 3, end: 3 }]);
    expect(episode.steps.map((s) => [s.step, s.kind])).toEqual([
      [1, 'heuristic'],
      [2, 'rule'],
      [3, 'submit'],
    ]);
    expect(episode.steps[0]).toMatchObject({ ranges: [{ start: 3, end: 4 }] });
    expect(episode.steps[1]).toMatchObject({
      ruleId: 'no-more',
      removed: [{ start: 4, end: 4 }],
    });
  });

  it('never lets the extractor see the labels', () => {
    let seen: object = {};
    const spy: Extractor = (input) => {
      seen = input;
      return { answer: [], steps: [] };
    };
    runEpisode(aCase(), { extractor: spy });
    expect(Object.keys(seen).sort()).toEqual(['failLines', 'passLines']);
  });

  it('rejects an extractor answer outside the log', () => {
    const wild: Extractor = () => ({ answer: [{ start: 5, end: 60 }], steps: [] });
    expect(() => runEpisode(aCase(), { extractor: wild })).toThrow(
      /past the end of the log \(6 lines\)/,
    );
  });
});
