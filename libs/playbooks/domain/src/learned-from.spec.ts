import { applyDeltas } from './apply-deltas';
import { MAX_LEARNED_TASKS, mergeLearnedFrom, type LearnedFrom } from './learned-from';
import { aDream, anEntry, aPerson, aVersion, deepFreeze } from './testing';
import { rollbackTo } from './version-history';
import { playbookVersionSchema } from './version.schema';

const NOW = '2025-03-01T00:00:00.000Z';
const ref = (id: string, digest = `d-${id}`) => ({ id, digest });
const record = (input: string, train: string[], validation: string[] = []): LearnedFrom => ({
  environment: 'ci-log-triage',
  input,
  train: train.map((id) => ref(id)),
  validation: validation.map((id) => ref(id)),
});
const add = (title: string) => ({
  kind: 'add' as const,
  entry: { title, guidance: `Do ${title}.`, rationale: `${title} works.` },
});

describe('mergeLearnedFrom', () => {
  it('folds a record on the same input into the one listed, each task once', () => {
    const earlier = deepFreeze([record('sessions of agent a', ['c1', 'c2'], ['c5'])]);
    const merged = mergeLearnedFrom(earlier, [record('sessions of agent a', ['c2', 'c3'], ['c6'])]);
    expect(merged).toEqual([record('sessions of agent a', ['c1', 'c2', 'c3'], ['c5', 'c6'])]);
  });

  it('keeps records on other inputs or environments apart, in order', () => {
    const lander = { ...record('./s.json', ['s1']), environment: 'lunar-lander' };
    const merged = mergeLearnedFrom(
      [record('./cases', ['c1'])],
      [lander, record('./more', ['c9'])],
    );
    expect(merged.map((l) => [l.environment, l.input])).toEqual([
      ['ci-log-triage', './cases'],
      ['lunar-lander', './s.json'],
      ['ci-log-triage', './more'],
    ]);
  });

  it('takes another task under a known id as another task (matched by digest)', () => {
    const merged = mergeLearnedFrom(
      [record('in', ['c1'])],
      [{ ...record('in', []), train: [ref('c1', 'other')] }],
    );
    expect(merged[0].train).toEqual([ref('c1'), ref('c1', 'other')]);
  });

  it('keeps the latest MAX_LEARNED_TASKS tasks of a split, however many dreams add to it', () => {
    const many = (from: number, n: number) => Array.from({ length: n }, (_, i) => `c${from + i}`);
    const first = mergeLearnedFrom([], [record('in', many(0, MAX_LEARNED_TASKS + 10))]);
    expect(first[0].train).toHaveLength(MAX_LEARNED_TASKS);
    expect(first[0].train[0].id).toBe('c10');
    const next = mergeLearnedFrom(first, [record('in', many(MAX_LEARNED_TASKS + 10, 5), ['v'])]);
    expect(next[0].train).toHaveLength(MAX_LEARNED_TASKS);
    expect(next[0].train.at(-1)?.id).toBe(`c${MAX_LEARNED_TASKS + 14}`);
    expect(next[0].validation).toEqual([ref('v')]);
  });
});

describe('what a version was learned from', () => {
  const learned = record('sessions of agent a', ['c1'], ['c4']);

  it('is set by the change that says it, and carried by later changes that do not', () => {
    const v1 = aVersion({ entries: [anEntry({ id: 'pb-a' })] });
    const v2 = applyDeltas(v1, [add('B')], aDream(), NOW, { learnedFrom: [learned] });
    expect(v2.learnedFrom).toEqual([learned]);
    expect(playbookVersionSchema.parse(v2).learnedFrom).toEqual([learned]);
    // A counters-only change, or a person's edit: the rules still come from that dream.
    const v3 = applyDeltas(v2, [{ kind: 'record_outcome', id: 'pb-a', helpful: 1 }], aDream(), NOW);
    expect(v3.learnedFrom).toEqual([learned]);
    const v4 = applyDeltas(v3, [add('C')], aDream(), NOW, {
      learnedFrom: [record('sessions of agent a', ['c2'])],
    });
    expect(v4.learnedFrom).toEqual([record('sessions of agent a', ['c1', 'c2'], ['c4'])]);
  });

  it('is absent on a version no dream said it learned', () => {
    const v2 = applyDeltas(aVersion(), [add('B')], aPerson(), NOW);
    expect('learnedFrom' in v2).toBe(false);
  });

  it("is the target's after a rollback", () => {
    const v1 = aVersion({ entries: [anEntry({ id: 'pb-a' })] });
    const v2 = applyDeltas(v1, [add('B')], aDream(), NOW, { learnedFrom: [learned] });
    const back = rollbackTo(
      deepFreeze([{ ...v1, status: 'superseded' as const }, v2]),
      1,
      aPerson(),
      NOW,
    );
    expect('learnedFrom' in back).toBe(false);
    const v3 = applyDeltas(v2, [add('C')], aDream(), NOW, {
      learnedFrom: [record('sessions of agent a', ['c7'])],
    });
    const toV2 = rollbackTo(
      deepFreeze([
        { ...v1, status: 'superseded' as const },
        { ...v2, status: 'superseded' as const },
        v3,
      ]),
      2,
      aPerson(),
      NOW,
    );
    expect(toV2.learnedFrom).toEqual([learned]);
  });
});
