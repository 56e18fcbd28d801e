import { resolve } from 'node:path';
import { DEFAULT_SPLIT, loadCases, loadDataset, splitCases } from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import { MIN_SEARCH_SET, splitScenarios } from '@reverie/dreaming-lander';
import {
  BUNDLED_FAMILIES,
  scenarioFor,
  scenariosFromJson,
  type ScenarioFamily,
} from '@reverie/lunar-lander';
import type { OutcomeRecord } from '@reverie/outcomes-data-access';
import type { SessionView } from '@reverie/sessions-data-access/readers';
import {
  taskDigest,
  taskRefs,
  type CollectedSession,
  type RoleDraft,
  type RulesByRole,
} from './environment-dreamer';
import { FRESH_DRAWS, LanderDreamer } from './lander.dreamer';
import { TriageDreamer } from './triage.dreamer';
import { candidateSignature, gateCandidate, gradeRuns } from '@reverie/dreaming-domain';
import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';

const DATASETS = BUNDLED_DATASETS_DIR;

const session = (id: string, run: SessionView['run']): SessionView => ({
  _id: id,
  agentId: 'agt_1',
  status: 'completed',
  source: 'managed',
  run,
  iteration: 1,
  endedAt: new Date('2026-11-22T00:00:00Z'),
  lastSeq: 3,
});

const outcome = (sessionId: string, satisfied: boolean): OutcomeRecord =>
  ({
    _id: `out_${sessionId}`,
    sessionId,
    result: satisfied ? 'satisfied' : 'needs_revision',
    failedCriteria: satisfied ? [] : ['finds-the-error'],
    criteria: satisfied
      ? []
      : [{ id: 'finds-the-error', gradable: true, passed: false, steps: [2], kind: 'label_match' }],
  }) as unknown as OutcomeRecord;

describe('TriageDreamer (bundled ci-breakages dataset)', () => {
  const dreamer = new TriageDreamer(DATASETS);
  let sessions: CollectedSession[];
  let heldOutIds: Set<string>;

  beforeAll(async () => {
    const cases = await loadDataset(resolve(DATASETS, 'ci-breakages'));
    heldOutIds = new Set(splitCases(cases, DEFAULT_SPLIT).heldOut.map((c) => c.id));
    // One session per case, every one failed (the day-one extractor on a new agent).
    sessions = cases.map((c, i) => ({
      session: session(`ses_${i}`, { environment: 'ci-log-triage', task: { caseId: c.id } }),
      outcome: outcome(`ses_${i}`, false),
      events: [] as SessionEventBody[],
    }));
  });

  it('splits three ways: never learns from validation or test cases, and they do not overlap', async () => {
    const p = await dreamer.prepare(sessions);
    expect(p.train.length).toBeGreaterThan(0);
    expect(p.train.some((c) => heldOutIds.has(c.id))).toBe(false);
    const validation = p.validation.map((c) => c.id);
    const test = p.test.map((c) => c.id);
    expect(validation.length).toBeGreaterThan(0);
    expect(validation.filter((id) => test.includes(id))).toEqual([]);
    expect([...validation, ...test].sort()).toEqual([...heldOutIds].sort());
    const split = dreamer.describeSplit(p);
    expect(split).toMatchObject({
      validation: validation.length,
      test: test.length,
      reviewedHeldOut: heldOutIds.size,
    });
    // What counters and retirements read: the sessions of training cases, and only those.
    const onTrain = sessions.filter((s) => !heldOutIds.has(String(s.session.run?.task.caseId)));
    expect([...split.trainSessions].sort()).toEqual(onTrain.map((s) => s.session._id).sort());
    // Each task by id and the digest of its content.
    const tasks = split.tasks?.();
    const ids = (refs: { id: string }[] = []) => refs.map((t) => t.id);
    expect(ids(tasks?.train)).toEqual(p.train.map((c) => c.id));
    expect([ids(tasks?.validation), ids(tasks?.test)]).toEqual([validation, test]);
    expect(tasks?.train[0].digest).toBe(taskDigest(p.train[0]));
    expect(new Set(tasks?.train.map((t) => t.digest)).size).toBe(p.train.length);
  });

  it("digests each case as `eval triage` reads the same folder (loadCases), so eval matches a live dream's playbook", async () => {
    const p = await dreamer.prepare(sessions);
    const tasks = dreamer.describeSplit(p).tasks?.();
    const read = await loadCases(resolve(DATASETS, 'ci-breakages'));
    const byDigest = new Map(taskRefs(read.cases).map((t) => [t.digest, t.id]));
    for (const t of [...(tasks?.train ?? []), ...(tasks?.validation ?? [])])
      expect([t.id, byDigest.get(t.digest)]).toEqual([t.id, t.id]);
    expect(tasks?.train.length).toBeGreaterThan(0);
  });

  it('judges sessions by the grader, keyed by case', () => {
    expect(dreamer.verdict(sessions[0])).toMatchObject({
      succeeded: false,
      failure: 'finds-the-error',
    });
  });

  it('localises without replay: from failed criteria when no session of the case succeeded', async () => {
    const p = await dreamer.prepare(sessions);
    const r = await dreamer.localise(p, sessions, [], new Map(), { simulations: 0 }, () =>
      Promise.resolve(),
    );
    expect(r.localisations.length).toBe(p.train.length);
    expect(r.localisations[0]).toMatchObject({ method: 'criteria', step: 2 });
  });

  it('drafts rules with evidence from training sessions, telling its progress, and evaluates rule sets on validation cases', async () => {
    const p = await dreamer.prepare(sessions);
    const current: RulesByRole = new Map([[null, []]]);
    const told: [number, number, string][] = [];
    const progress = async (done: number, total: number, message: string) =>
      void told.push([done, total, message]);
    const { drafts, work } = await dreamer.reflect(p, current, { simulations: 20, progress });
    expect(work.simulations).toBeLessThanOrEqual(20);
    // It tells the dream where the search is: one beat a rule set scored, of the stage's budget.
    expect(told.map(([d]) => d)).toEqual(Array.from({ length: work.simulations }, (_, i) => i + 1));
    expect(told.every(([, t, m]) => t === 20 && m === 'rule search, rule sets scored')).toBe(true);
    expect(drafts.length).toBeGreaterThan(0);
    const trainSessionIds = new Set(
      sessions
        .filter((s) => !heldOutIds.has(String(s.session.run?.task.caseId)))
        .map((s) => s.session._id),
    );
    for (const d of drafts) {
      expect(d.draft.rule).toBeDefined();
      for (const ev of d.draft.evidence) expect(trainSessionIds.has(ev.sessionId)).toBe(true);
    }
    const candidate: RulesByRole = new Map([
      [null, drafts.map((d, i) => ({ entryId: `d${i}`, title: d.draft.title, ...d.draft.rule! }))],
    ]);
    const before = await dreamer.evaluate(p, 'validation', current);
    const after = await dreamer.evaluate(p, 'validation', candidate);
    expect(after.runs.map((r) => r.task)).toEqual(p.validation.map((c) => c.id));
    const graded = await gradeRuns(dreamer.defaultObjective, dreamer.environment, after.runs);
    const f1 = (runs: typeof after.runs, i: number) =>
      (runs[i].events.at(-1) as unknown as { data: { result: { f1: number } } }).data.result.f1;
    // The rubric's line-f1 criterion scores exactly the F1 the sandbox recorded.
    graded.forEach((g, i) => expect(g.criteria[0].score).toBeCloseTo(f1(after.runs, i), 6));
    const metrics = gateCandidate(
      await gradeRuns(dreamer.defaultObjective, dreamer.environment, before.runs),
      graded,
    );
    expect(metrics.split).toBe('validation');
    expect(metrics.heldOut).toBe(p.validation.length);
    // A sandbox run records what a live session of the builtin triager does, so a definition's
    // `tool` and `step_limit` criteria grade it too (they failed and passed every run when a run
    // held only its result).
    const rubric = parseOutcomeDefinition({
      ...dreamer.defaultObjective,
      criteria: [
        ...dreamer.defaultObjective.criteria,
        { id: 'answered', kind: 'tool', tool: 'submit_answer', expect: 'called', required: true },
        { id: 'short', kind: 'step_limit', maxSteps: 1 },
      ],
    });
    for (const g of await gradeRuns(rubric, dreamer.environment, after.runs)) {
      expect(g.criteria.find((c) => c.id === 'answered')).toMatchObject({ passed: true });
      // The day-one triager selects candidates, applies the rules, then submits: over one step.
      expect(g.criteria.find((c) => c.id === 'short')).toMatchObject({ passed: false });
    }
    // 20 rule-set evaluations: ~4 s under Jest on an idle machine; the timeout leaves room for a
    // loaded one.
  }, 180_000);
});

describe('LanderDreamer', () => {
  const dreamer = new LanderDreamer({ maxHeldOut: 6 });
  const landed = (
    id: string,
    family: string | ScenarioFamily,
    index: number,
    safe: boolean,
  ): CollectedSession => {
    const scenario = scenarioFor(family, index);
    const task = typeof family === 'string' ? { family, index } : { scenario };
    return {
      session: session(id, { environment: 'lunar-lander', task }),
      outcome: null,
      events: [
        { type: 'observation', actor: 'environment', step: 0, data: { scenario } },
        {
          type: 'action',
          actor: 'navigator',
          step: 7,
          name: 'apply_rule',
          params: { entryId: 'pb-1' },
        },
        {
          type: 'observation',
          actor: 'environment',
          step: 300,
          data: {
            result: {
              scenarioId: scenario.id,
              safe,
              status: 'landed',
              touchdown: { verdict: safe ? 'safe' : 'hazard' },
            },
          },
        },
      ] as unknown as SessionEventBody[],
    };
  };

  it('judges a landing by its recorded result and counts the rules that fired', () => {
    expect(dreamer.verdict(landed('s1', 'boulder-field', 1, false))).toEqual({
      succeeded: false,
      failure: 'hazard',
      task: 'boulder-field-01',
      firedEntries: [{ role: 'navigator', entryId: 'pb-1' }],
    });
  });

  it('holds out part of every family flown, by a fixed hash, and never trains on it', async () => {
    const sessions = Array.from({ length: 20 }, (_, i) =>
      landed(`s${i}`, 'boulder-field', i, true),
    );
    const p = await dreamer.prepare(sessions);
    const heldOut = splitScenarios(
      Array.from({ length: 20 }, (_, i) => scenarioFor('boulder-field', i)),
    ).heldOut.map((s) => s.id);
    expect(heldOut.length).toBeGreaterThan(0);
    expect(p.train.map((s) => s.id).filter((id) => heldOut.includes(id))).toEqual([]);
    expect(p.train.length + heldOut.length).toBe(20);
    const vt = [...p.validation, ...p.test].map((s) => s.id);
    expect(vt.every((id) => heldOut.includes(id))).toBe(true);
    expect(new Set(vt).size).toBe(vt.length);
    expect(p.validation.length).toBeGreaterThan(0);
    const trainIds = new Set(p.train.map((s) => s.id));
    expect([...dreamer.describeSplit(p).trainSessions].sort()).toEqual(
      sessions
        .filter((_, i) => trainIds.has(scenarioFor('boulder-field', i).id))
        .map((s) => s.session._id)
        .sort(),
    );
  });

  it("digests each scenario as `eval lander` reads it from a file of the scenarios flown, so eval matches a live dream's playbook", async () => {
    // The scenario as recorded travels as JSON (Kafka, MongoDB): what a dream reads back.
    const sessions = Array.from({ length: 20 }, (_, i) => {
      const s = landed(`s${i}`, 'boulder-field', i, i % 2 === 0);
      return JSON.parse(JSON.stringify(s)) as CollectedSession;
    });
    const tasks = dreamer.describeSplit(await dreamer.prepare(sessions)).tasks?.();
    const file = Array.from({ length: 20 }, (_, i) => scenarioFor('boulder-field', i));
    const read = scenariosFromJson(JSON.parse(JSON.stringify(file)));
    const byDigest = new Map(taskRefs(read).map((t) => [t.digest, t.id]));
    const refs = [...(tasks?.train ?? []), ...(tasks?.validation ?? [])];
    expect(refs.length).toBeGreaterThan(0);
    for (const t of refs) expect([t.id, byDigest.get(t.digest)]).toEqual([t.id, t.id]);
  });

  it('caps validation and test in turn from each family, so a family late by name is not left out', async () => {
    // maxHeldOut 6 over four families' held-out parts (6+ scenarios each in 20 a family)
    const families = ['boulder-field', 'downrange', 'easy', 'high-gate'];
    const sessions = families.flatMap((family, f) =>
      Array.from({ length: 20 }, (_, i) => landed(`s${f}-${i}`, family, i, true)),
    );
    const p = await dreamer.prepare(sessions);
    for (const split of [p.validation, p.test]) {
      expect(split).toHaveLength(6);
      expect(new Set(split.map((s) => s.family))).toEqual(new Set(families));
    }
  });

  it("with the input's families, validates on fresh draws of each one flown and searches on more, in no other split", async () => {
    // A family file of 12 (the user's own family, not bundled) and one of 5 no session flew.
    const mine = { ...BUNDLED_FAMILIES['boulder-field'], family: 'mine', count: 12 };
    const other = { ...mine, family: 'other', count: 5 };
    const sessions = Array.from({ length: 12 }, (_, i) => landed(`s${i}`, mine, i, true));
    const withFamilies = new LanderDreamer({ maxHeldOut: 6, families: [mine, other] });
    const p = await withFamilies.prepare(sessions);
    const plain = await dreamer.prepare(sessions);
    expect(p.test).toEqual(plain.test);
    expect(p.train).toEqual(plain.train);
    expect(p.fresh).toBe(FRESH_DRAWS);
    const fresh = p.validation.slice(plain.validation.length);
    expect(p.validation.slice(0, plain.validation.length)).toEqual(plain.validation);
    // Indices past the family's count: no scenario the file expands to, none of the other family.
    expect(fresh.map((s) => s.id)).toEqual(
      Array.from({ length: FRESH_DRAWS }, (_, i) => `mine-${12 + i}`),
    );
    expect(fresh[0]).toEqual(scenarioFor({ ...mine, count: 13 }, 12));
    const split = withFamilies.describeSplit(p);
    expect(split.note).toContain(
      `validation ${plain.validation.length + FRESH_DRAWS} (${plain.validation.length} held out and ${FRESH_DRAWS} fresh draws of the input's families, flown by no session and never in the test)`,
    );
    // The playbook records them as chosen on: eval of a wider file says they are not held out.
    expect(split.tasks?.().validation.map((t) => t.id)).toEqual(p.validation.map((s) => s.id));
    // Training draws for the guidance search, past validation's: in no split.
    expect(p.searchDraws.map((s) => s.id)).toEqual(
      Array.from({ length: MIN_SEARCH_SET }, (_, i) => `mine-${12 + FRESH_DRAWS + i}`),
    );
    expect(split.tasks?.().train.map((t) => t.id)).toEqual(p.train.map((s) => s.id));
    // The search flies the reviewed training scenarios, then draws up to its set's size; the
    // dream learned from those it flew, and no draw is evidence (no session flew it).
    const { drafts, work } = await withFamilies.reflect(p, new Map(), { simulations: 600 });
    expect(work.summary).toContain(
      `all ${p.train.length} training scenarios and ${MIN_SEARCH_SET - p.train.length} more draws of the input's families`,
    );
    const learned = split.tasks?.().train.map((t) => t.id) ?? [];
    expect(learned).toEqual([
      ...p.train.map((s) => s.id),
      ...p.searchDraws.slice(0, MIN_SEARCH_SET - p.train.length).map((s) => s.id),
    ]);
    expect(drafts.some((d) => / guidance /.test(d.draft.title))).toBe(true);
    const reviewed = new Set(sessions.map((x) => x.session._id));
    for (const d of drafts)
      for (const e of d.draft.evidence) expect(reviewed.has(e.sessionId)).toBe(true);
  }, 60_000);

  it("splits the whole of a bundled family flown in part, but not a user's family of the same name", async () => {
    const bundled = await dreamer.prepare(
      Array.from({ length: 5 }, (_, i) => landed(`s${i}`, 'easy', i, true)),
    );
    const all = [...bundled.train, ...bundled.validation, ...bundled.test].map((s) => s.id);
    expect(all.length).toBeGreaterThan(5);
    expect(all.some((id) => !/^easy-0[0-4]$/.test(id))).toBe(true);
    // A copy of easy.json with other ranges under the same name: its scenarios are not easy's.
    const mine = { ...BUNDLED_FAMILIES.easy, seed: BUNDLED_FAMILIES.easy.seed + 1, count: 5 };
    const own = await dreamer.prepare(
      Array.from({ length: 5 }, (_, i) => landed(`s${i}`, mine, i, true)),
    );
    const ids = [...own.train, ...own.validation, ...own.test].map((s) => s.id).sort();
    expect(ids).toEqual(['easy-00', 'easy-01', 'easy-02', 'easy-03', 'easy-04']);
    for (const s of [...own.train, ...own.validation, ...own.test])
      expect(s).toEqual(scenarioFor(mine, Number(s.id.slice(-2))));
  });

  it('says which family the test split has no scenario of', async () => {
    // Two families of one scenario each (own scenarios, not bundled): too few to hold out from each.
    const p = await dreamer.prepare([landed('s1', 'easy', 1, true)]);
    const of = (family: string, id: string) => ({ ...scenarioFor('easy', 1), id, family });
    const split = dreamer.describeSplit({
      ...p,
      train: [of('mine-a', 'a-0')],
      validation: [of('mine-b', 'b-1')],
      test: [of('mine-b', 'b-2')],
    });
    expect(split.note).toMatch(
      /; no test scenario for family mine-a \(too few scenarios to hold out from each family\), so no test rate for it$/,
    );
    expect(
      dreamer.describeSplit({
        ...p,
        test: [of('mine-a', 'a-2'), of('mine-b', 'b-2')],
        train: [of('mine-a', 'a-0')],
        validation: [],
      }).note,
    ).not.toMatch(/no test scenario/);
  });

  it('draws another guidance search in a later dream, and skips the alternatives refused before', async () => {
    // Day-one flights of `easy`: most burn more than the rubric allows, so the search finds fronts.
    const sessions = Array.from({ length: 20 }, (_, i) => landed(`s${i}`, 'easy', i, true));
    const p = await dreamer.prepare(sessions);
    const current: RulesByRole = new Map();
    const alternativesOf = (drafts: RoleDraft[]) =>
      [0, 1, 2].map((a) => candidateSignature(drafts.filter((d) => d.alternative === a)));
    const budget = { simulations: 300 };
    const reflected = (await dreamer.reflect(p, current, budget)).drafts;
    const first = alternativesOf(reflected);
    expect(first[0]).not.toBe('');
    // Each guidance alternative carries the search's training counts (one for all its drafts),
    // which the gate weighs when validation is already satisfied in full.
    expect(reflected.filter((d) => d.alternative === 0).every((d) => d.train)).toBe(true);
    for (const a of [0, 1, 2]) {
      const evidence = reflected.flatMap((d) => (d.alternative === a && d.train ? [d.train] : []));
      expect(new Set(evidence.map((t) => JSON.stringify(t))).size).toBeLessThanOrEqual(1);
      for (const t of evidence) {
        expect(t.tasks).toBeGreaterThan(0);
        expect(t.tasks).toBeLessThanOrEqual(p.train.length);
        expect(t.after).toBeLessThanOrEqual(t.tasks);
      }
    }
    // The same search again, telling where it is as it flies (the dream's progress).
    const told: [number, number, string][] = [];
    const progress = async (done: number, total: number, message: string) =>
      void told.push([done, total, message]);
    const repeated = await dreamer.reflect(p, current, { ...budget, progress });
    const again = alternativesOf(repeated.drafts);
    expect(again).toEqual(first);
    expect(new Set(told.map(([, , m]) => m))).toEqual(
      new Set(['guidance search, flights', 'rule search, flights']),
    );
    const done = told.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(told.every(([d, t]) => d <= t)).toBe(true);
    expect(done.at(-1)).toBe(repeated.work.simulations);
    // Refused before: the next fresh member of the same front takes its place.
    const skipping = alternativesOf(
      (await dreamer.reflect(p, current, { ...budget, refused: new Set([first[0]]) })).drafts,
    );
    expect(skipping).not.toContain(first[0]);
    expect(skipping[0]).toBe(first[1]);
    // A later dream (one dream before it) draws other children.
    const later = alternativesOf(
      (await dreamer.reflect(p, current, { ...budget, round: 1 })).drafts,
    );
    expect(later[0]).not.toBe(first[0]);
  }, 240_000);

  it('localises a failed landing by counterfactual replay within its budget', async () => {
    // boulder-field-01 is a day-one hazard the sandbox can replay (see dreaming-lander's specs).
    const failed = landed('s1', 'boulder-field', 1, false);
    const p = await dreamer.prepare([failed]);
    const progress: number[] = [];
    const { localisations, work } = await dreamer.localise(
      p,
      [failed],
      [],
      new Map(),
      { simulations: 200 },
      async (done) => void progress.push(done),
    );
    expect(work.simulations).toBeLessThanOrEqual(200);
    expect(localisations).toHaveLength(p.heldOutIds.has('boulder-field-01') ? 0 : 1);
    if (localisations.length) {
      expect(localisations[0]).toMatchObject({ sessionId: 's1', method: 'counterfactual' });
      expect(localisations[0].step).toBeGreaterThan(0);
    }
    // ~10 s idle; the timeout leaves room for a machine loaded by other suites.
  }, 240_000);
});
