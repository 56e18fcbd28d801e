import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseFiles, type TriageCase } from '@reverie/ci-log-triage';
import { STRESS_FAMILIES } from '@reverie/lunar-lander';
import { runCli } from '../testing/run-cli';
import type { DreamReport } from '@reverie/dreaming-domain';
import { CycleProgress, curveLines, cycleLine, lostCriteria } from './dream-offline.command';
import { Progress } from '../progress';

const boom = (id: string, n: number): TriageCase => ({
  id,
  format: 'DEFAULT',
  failLines: ['[INFO] start', `BOOM: widget ${n} broke`, '[INFO] BUILD FAILURE'],
  // The passing run printed a `BOOM:` line of the same shape: day one does not take it.
  passLines: ['[INFO] start', `BOOM: widget ${n + 1} broke`, '[INFO] BUILD SUCCESS'],
  errorRanges: [{ start: 2, end: 2 }],
  contextRanges: [],
});

/** A playbook version as GET /v1/agents/:id/playbook answers, with one active rule. */
const playbookWith = (rule: object) => ({
  playbookId: 'pbk_1',
  version: 1,
  parentVersion: null,
  author: { kind: 'person', id: 'usr_1' },
  createdAt: '2026-11-23T00:00:00.000Z',
  status: 'active',
  diff: { added: [], removed: [], changed: [] },
  entries: [
    {
      id: 'ent_1',
      title: 'A lesson',
      guidance: 'Do this.',
      rationale: 'Because.',
      evidence: [],
      helpful: 0,
      harmful: 0,
      status: 'active',
      rule,
    },
  ],
});

describe('reverie dream --offline', () => {
  let dir: string;
  const dream = (out: string, ...more: string[]) =>
    runCli(
      'dream',
      '--offline',
      '--environment',
      'triage',
      '--cases',
      join(dir, 'cases'),
      '--out',
      out,
      ...(more.includes('--cycles') ? [] : ['--cycles', '1']),
      ...more,
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'reverie-dream-offline-'));
    for (const c of [boom('a_1', 1), boom('b_2', 2), boom('c_3', 3)]) {
      mkdirSync(join(dir, 'cases', c.id), { recursive: true });
      for (const [f, text] of Object.entries(caseFiles(c)))
        writeFileSync(join(dir, 'cases', c.id, f), text);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses an --out it could not write to before dreaming', async () => {
    const missing = await dream(join(dir, 'nope', 'playbook.json'));
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/nope does not exist/);
    const folder = await dream(dir);
    expect(folder.code).toBe(2);
    expect(folder.out).toContain('is a folder; give a file name such as');
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('refuses, before dreaming, outputs it could not write or that are its own inputs', async () => {
    const empty = await dream('');
    expect(empty.code).toBe(2);
    expect(empty.out).toMatch(/^--out needs a value/);
    // A report path that is a folder: refused, and the playbook beside it left alone.
    mkdirSync(join(dir, 'held.report.json'));
    writeFileSync(join(dir, 'held.json'), 'earlier');
    const folder = await dream(join(dir, 'held.json'));
    expect(folder.code).toBe(2);
    expect(folder.out).toMatch(/would write .*held\.report\.json, which is a folder/);
    expect(readFileSync(join(dir, 'held.json'), 'utf8')).toBe('earlier');
    // The outcome definition named as --out: refused, and not overwritten.
    const outcome = join(dir, 'mine.json');
    const definition = JSON.stringify({
      description: 'finds the error',
      criteria: [{ id: 'finds', kind: 'label_match', metric: 'f1', min: 0.7, required: true }],
    });
    writeFileSync(outcome, definition);
    const own = await dream(outcome, '--outcome', outcome);
    expect(own.code).toBe(2);
    expect(own.out).toMatch(/mine\.json is an input of this run/);
    expect(readFileSync(outcome, 'utf8')).toBe(definition);
    // Under another name (a symbolic link), or a file inside the cases folder: refused as well.
    symlinkSync(outcome, join(dir, 'link.json'));
    const linked = await dream(join(dir, 'link.json'), '--outcome', outcome);
    expect(linked.code).toBe(2);
    expect(linked.out).toMatch(/link\.json is an input of this run/);
    expect(readFileSync(outcome, 'utf8')).toBe(definition);
    const log = join(dir, 'cases', 'a_1', 'fail.log');
    const before = readFileSync(log, 'utf8');
    const inside = await dream(log);
    expect(inside.code).toBe(2);
    expect(inside.out).toMatch(/fail\.log is inside an input of this run/);
    expect(readFileSync(log, 'utf8')).toBe(before);
  });

  it('refuses a null playbook, a version 0 with entries, and two playbooks for one agent', async () => {
    const nul = join(dir, 'null.json');
    writeFileSync(nul, 'null');
    const a = await dream(join(dir, 'x.json'), '--playbook', nul);
    expect(a).toMatchObject({
      code: 2,
      out: expect.stringMatching(/null\.json is not a playbook/),
    });
    const zero = join(dir, 'zero.json');
    const rule = {
      when: { feature: 'isMarker', op: 'eq', value: true },
      then: { action: 'include' },
    };
    writeFileSync(zero, JSON.stringify({ ...playbookWith(rule), version: 0 }));
    const b = await dream(join(dir, 'x.json'), '--playbook', zero);
    expect(b.code).toBe(2);
    expect(b.out).toContain(
      'zero.json: "version" 0 is the empty playbook (before the first version), but it has 1 entry; a playbook with entries has version 1 or more',
    );
    // A bare {version, entries}, as eval reads it: told what a dream needs besides.
    const bare = join(dir, 'bare.json');
    writeFileSync(bare, JSON.stringify({ version: 1, entries: playbookWith(rule).entries }));
    const d = await dream(join(dir, 'x.json'), '--playbook', bare);
    expect(d.code).toBe(2);
    expect(d.out).toMatch(
      /eval also reads a bare \{version, entries\}, a dream starts only from a whole version/,
    );
    const one = join(dir, 'one.json');
    writeFileSync(one, JSON.stringify(playbookWith(rule)));
    const c = await dream(join(dir, 'x.json'), '--playbook', one, '--playbook', one);
    expect(c.code).toBe(2);
    expect(c.out).toMatch(/a second playbook for the agent/);
    // A lunar role's playbook: a triage agent has no roles, so no role= advice.
    const role = join(dir, 'navigator.json');
    writeFileSync(role, JSON.stringify({ ...playbookWith(rule), role: 'navigator' }));
    const r = await dream(join(dir, 'x.json'), '--playbook', role);
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      `${role} is the navigator's playbook (its "role"), and a triage agent has one playbook with no role`,
    );
    expect(r.out).not.toMatch(/<role>=/);
    // The role named on the command line, for a file that names none: the flag is at fault.
    const named = await dream(join(dir, 'x.json'), '--playbook', `navigator=${one}`);
    expect(named.out).toContain(
      `--playbook navigator=${one}: a triage agent has one playbook and no roles; give it as --playbook ${one}`,
    );
    const stray = await dream(join(dir, 'x.json'), '--playbook', one, 'extra.json');
    expect(stray).toMatchObject({
      code: 2,
      out: expect.stringMatching(/unexpected argument "extra\.json"/),
    });
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  });

  it('puts what it noted into the --json answer, where stderr stays quiet', async () => {
    mkdirSync(join(dir, 'cases', 'broken_9'), { recursive: true });
    try {
      const r = await dream(join(dir, 'json-playbook.json'), '--json');
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      const answer = JSON.parse(r.out) as { notes: string[] };
      expect(answer.notes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/broken_9/),
          expect.stringMatching(/^splits: train 3 case\(s\)/),
        ]),
      );
    } finally {
      rmSync(join(dir, 'cases', 'broken_9'), { recursive: true, force: true });
    }
  }, 60_000);

  it('writes the playbook even when nothing was promoted, over what an earlier run left only with --force', async () => {
    // Three cases split with no validation task: nothing can be promoted.
    const out = join(dir, 'playbook.json');
    writeFileSync(out, '{"left":"by an earlier run"}');
    const kept = await dream(out);
    expect(kept).toMatchObject({
      code: 2,
      out: expect.stringContaining(
        `--out ${out}: ${out} exists (an earlier run's?); give another name, or --force to replace it`,
      ),
    });
    expect(kept.out).not.toMatch(/dream 1/);
    expect(readFileSync(out, 'utf8')).toBe('{"left":"by an earlier run"}');
    const r = await dream(out, '--force');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`playbook: ${out}`);
    // Said on stderr as the dream runs: how the tasks split, and why nothing could be promoted.
    expect(r.err).toContain('splits: train 3 case(s), validation 0, test 0');
    expect(r.err).toMatch(
      /dream 1: nothing promoted: no validation tasks to gate on \(give more tasks/,
    );
    // Off a terminal, one line as each stage starts, before the dream's line.
    const stages = r.err.split('\n').filter((l) => l.startsWith('dream 1 of 1: '));
    expect(stages.slice(0, 3)).toEqual([
      'dream 1 of 1: running the tasks ...',
      'dream 1 of 1: localise ...',
      'dream 1 of 1: reflect ...',
    ]);
    expect(new Set(stages).size).toBe(stages.length);
    expect(r.err.indexOf('dream 1 of 1: reflect ...')).toBeLessThan(r.err.indexOf('dream 1: '));
    // The splits as soon as dream 1 has read them, not after its stages.
    expect(r.err.indexOf('splits: train 3')).toBeLessThan(
      r.err.indexOf('dream 1 of 1: localise ...'),
    );
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written).toMatchObject({ type: 'playbook_version', version: 0, entries: [] });
    expect(existsSync(join(dir, 'playbook.report.json'))).toBe(true);
    // With no validation task no later dream could promote either: one dream, and why it stopped.
    const three = await dream(out, '--force', '--cycles', '3');
    expect(three.err).not.toMatch(/^dream 2/m);
    expect(three.out).toContain(
      'test-split curve (stopped after cycle 1: no validation task to promote on (give more tasks)):',
    );
  }, 60_000);

  it('writes what its dreams learned from and chose on into the playbook, which eval then names', async () => {
    // 20 cases whose error line the day-one extractor misses: enough for every split.
    const widgets = (folder: string, part: string) => {
      for (let i = 0; i < 20; i++) {
        const c: TriageCase = {
          ...boom(`w_${i}`, i),
          failLines: [
            '[INFO] start',
            `${part}-${i} went sideways at stage ${i % 4}`,
            '[INFO] done',
          ],
        };
        mkdirSync(join(folder, c.id), { recursive: true });
        for (const [f, text] of Object.entries(caseFiles(c)))
          writeFileSync(join(folder, c.id, f), text);
      }
      return folder;
    };
    const cases = widgets(join(dir, 'widgets'), 'widget');
    const ids = Array.from({ length: 20 }, (_, i) => `w_${i}`);
    const out = join(dir, 'widgets.json');
    const dreamOn = (folder: string, to: string, ...more: string[]) =>
      runCli(
        ...`dream --offline --environment triage --cases ${folder} --cycles 1 --out ${to}`.split(
          ' ',
        ),
        ...more,
      );
    const r = await dreamOn(cases, out);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/dream 1: promoted on validation/);
    const written = JSON.parse(readFileSync(out, 'utf8'));
    expect(written.version).toBe(1);
    expect(written.learnedFrom).toHaveLength(1);
    const [record] = written.learnedFrom;
    expect(record).toMatchObject({ environment: 'ci-log-triage', input: cases });
    type Ref = { id: string; digest: string };
    const train = (record.train as Ref[]).map((t) => t.id);
    const validation = (record.validation as Ref[]).map((t) => t.id);
    expect(train.length).toBeGreaterThan(0);
    expect(validation.length).toBeGreaterThan(0);
    expect(train.filter((id) => validation.includes(id))).toEqual([]);
    // The test split is neither learned from nor chosen on: left out.
    const test = ids.filter((id) => !train.includes(id) && !validation.includes(id));
    expect(test.length).toBeGreaterThan(0);
    expect([...train, ...validation].every((id) => ids.includes(id))).toBe(true);

    const evalOn = (folder: string, playbook = out) =>
      runCli('eval', 'triage', '--cases', folder, '--playbook', playbook, '--json');
    const seen = await evalOn(cases);
    expect(seen.code).toBe(0);
    const answer = JSON.parse(seen.out);
    expect(answer.playbook.seen).toEqual({
      train: [...train].sort(),
      validation: [...validation].sort(),
      heldOut: [...test].sort(),
      inputs: [cases],
    });
    expect(answer.notes).toContainEqual(
      expect.stringContaining(
        `of these 20 cases, the dreams that wrote it (on ${cases}) learned from ${train.length} (training split: `,
      ),
    );
    expect(answer.notes.join('\n')).toContain(`judge it by the other ${test.length} (`);
    // The same ids with other logs (another dataset's w_0 …): not the cases it saw.
    const others = widgets(join(dir, 'gizmos'), 'gizmo');
    const other = JSON.parse((await evalOn(others)).out);
    expect(other.playbook.seen).toMatchObject({ train: [], validation: [], inputs: [] });
    expect(other.notes.join('\n')).not.toMatch(/not held-out/);

    // Dreaming on from it over those others: the rules stay as they were (counters at most), so
    // no record of them is added, and the first is carried on.
    const next = join(dir, 'gizmos.json');
    const again = await dreamOn(others, next, '--playbook', out);
    expect(again.code).toBe(0);
    expect(again.err).not.toMatch(/promoted on validation/);
    expect(JSON.parse(readFileSync(next, 'utf8')).learnedFrom).toEqual([record]);
    expect(JSON.parse((await evalOn(others, next)).out).notes.join('\n')).not.toMatch(
      /not held-out/,
    );
  }, 120_000);

  it('says which criteria of the outcome the sandbox cannot grade', async () => {
    const outcome = join(dir, 'judged.json');
    writeFileSync(
      outcome,
      JSON.stringify({
        description: 'finds the error and explains it',
        environment: 'ci-log-triage',
        criteria: [
          { id: 'finds', kind: 'label_match', metric: 'f1', min: 0.7, required: true },
          { id: 'explains', kind: 'judge', instructions: 'Is the cause explained?' },
        ],
      }),
    );
    const r = await dream(join(dir, 'judged-playbook.json'), '--outcome', outcome);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      'not gradable in the sandbox, so counted neither way by the dreams (live grading still checks them): explains',
    );
  }, 60_000);

  it('refuses a starting playbook of another environment, and names a bad outcome file', async () => {
    const lander = join(dir, 'lander-rules.json');
    writeFileSync(
      lander,
      JSON.stringify(
        playbookWith({
          when: { feature: 'altitude', op: 'lt', value: 100 },
          then: { action: 'set', params: { maxTiltDeg: 20 } },
        }),
      ),
    );
    const r = await dream(join(dir, 'x.json'), '--playbook', lander);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      /lander-rules\.json: none of its 1 rule\(s\) is one the CI-log triager can follow/,
    );

    const outcome = join(dir, 'outcome.json');
    writeFileSync(outcome, JSON.stringify({ criteria: 'all of them' }));
    const bad = await dream(join(dir, 'x.json'), '--outcome', outcome);
    expect(bad.code).toBe(2);
    expect(bad.out.startsWith(`${outcome}: `)).toBe(true);
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  }, 60_000);

  it('validates a family file on --fresh-draws more draws of each family', async () => {
    const scenarios = join(dir, 'my-family.json');
    const family = { ...STRESS_FAMILIES['tight-fuel'], family: 'my-fuel', count: 6 };
    writeFileSync(scenarios, JSON.stringify(family));
    const splits = async (...extra: string[]) => {
      const r = await runCli(
        ...`dream --offline --environment lander --scenarios ${scenarios} --cycles 1 --force`.split(
          ' ',
        ),
        '--out',
        join(dir, 'fresh.json'),
        ...extra,
      );
      expect(r.code).toBe(0);
      return r.err.split('\n').find((l) => l.startsWith('splits: ')) ?? '';
    };
    expect(await splits('--fresh-draws', '7')).toMatch(
      /^splits: train \d+ scenario\(s\), validation \d+ \(\d+ held out and 7 fresh draws of the input's families, flown by no session and never in the test\)/,
    );
    // One dream of 3,000 flights: about 20 s here; the timeout leaves room for a loaded machine.
  }, 120_000);

  it("refuses a role's playbook named as another role's, before dreaming", async () => {
    const scenarios = join(dir, 'family.json');
    writeFileSync(scenarios, JSON.stringify({ ...STRESS_FAMILIES['tight-fuel'], count: 3 }));
    const navigator = join(dir, 'navigator.json');
    writeFileSync(
      navigator,
      JSON.stringify({
        ...playbookWith({
          when: { feature: 'step', op: 'gte', value: 0 },
          then: { action: 'set', params: { flareAltitude: 8 } },
        }),
        role: 'navigator',
      }),
    );
    const out = join(dir, 'team.json');
    const r = await runCli(
      'dream',
      '--offline',
      '--environment',
      'lander',
      '--scenarios',
      scenarios,
      '--out',
      out,
      '--playbook',
      `commander=${navigator}`,
    );
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      `${navigator} is the navigator's playbook (its "role"), not the commander's; give it as --playbook navigator=${navigator}`,
    );
    expect(existsSync(join(dir, 'team.commander.json'))).toBe(false);
    // A triage playbook (no role, no rule a lunar role can follow): said at once, not "name a role".
    const triage = join(dir, 'triage-playbook.json');
    writeFileSync(
      triage,
      JSON.stringify(
        playbookWith({
          when: { feature: 'text', op: 'matches', value: '^BOOM' },
          then: { action: 'include' },
        }),
      ),
    );
    const lunar = await runCli(
      ...`dream --offline --environment lander --scenarios ${scenarios} --out ${out}`.split(' '),
      '--playbook',
      triage,
    );
    expect(lunar).toMatchObject({
      code: 2,
      out: expect.stringMatching(
        /triage-playbook\.json: none of its 1 rule\(s\) is one any of the roles \(.*navigator.*\) can follow .*another environment's playbook\?/,
      ),
    });
  }, 60_000);

  it('prints each test-split rate with its 95 % interval, overall and per family', () => {
    const group = (satisfied: number, tasks: number) => ({
      tasks,
      satisfied,
      satisfiedRate: satisfied / tasks,
      meanScore: 0.9,
      medians: { all: {}, satisfied: { fuel_over_limit: 1.2 } },
    });
    const test = {
      split: 'test' as const,
      criteria: [],
      ...group(20, 24),
      families: [
        { family: 'boulder-field', ...group(16, 19) },
        { family: 'easy', ...group(4, 5) },
      ],
    };
    expect(curveLines([{ cycle: 3, test }])).toEqual([
      'after 3 dream(s): 20/24 (83.3%; 95% CI 64–93%) satisfied, mean score 0.9; satisfied: median fuel_over_limit 1.2 [test split]',
      '    boulder-field: 16/19 (84.2%; 95% CI 62–94%); median fuel_over_limit 1.2',
      '    easy: 4/5 (80%; 95% CI 38–96%); median fuel_over_limit 1.2',
    ]);
  });
});

describe('a criterion the test split gave up', () => {
  it('is named under the curve and in the dream line, though the satisfied rate held', () => {
    const criterion = (id: string, passed: number, graded = 10) => ({
      id,
      required: true,
      graded,
      passRate: passed / graded,
      meanScore: passed / graded,
    });
    const split = (satisfied: number, criteria: ReturnType<typeof criterion>[]) => ({
      split: 'test' as const,
      tasks: 10,
      satisfied,
      satisfiedRate: satisfied / 10,
      meanScore: 0.9,
      medians: { all: {}, satisfied: {} },
      criteria,
      families: [],
    });
    // A dream that made landings frugal and one of them hard: 8 of 10 satisfied before and after.
    const before = split(8, [criterion('soft-touchdown', 10), criterion('frugal', 8)]);
    const after = split(8, [criterion('soft-touchdown', 9), criterion('frugal', 9)]);
    expect(lostCriteria(before, after)).toEqual(['soft-touchdown 10/10 -> 9/10']);
    expect(lostCriteria(after, before)).toEqual(['frugal 9/10 -> 8/10']);
    // A criterion no task could grade, before or after, is no loss.
    expect(
      lostCriteria(split(8, [criterion('judge', 0, 0)]), split(8, [criterion('judge', 0, 0)])),
    ).toEqual([]);
    const report = {
      validation: { heldOut: 4, before: 4, after: 4, promote: true, reason: '' },
      test: { split: 'test', before, after },
      notes: [],
    } as unknown as DreamReport;
    expect(cycleLine(report)).toBe(
      'promoted on validation (4 -> 4 of 4); test 8/10 -> 8/10 (lost on test: soft-touchdown 10/10 -> 9/10)',
    );
    // An objective out of the search's reach is said on the dream's line; other notes are not.
    const outOfReach =
      'out of reach: none of the guidance search\'s 40 flight(s) satisfied the outcome definition; 12 met every criterion but "frugal": …';
    expect(
      cycleLine({ ...report, notes: ['offline dream 1 of 3: 120 session(s) run', outOfReach] }),
    ).toBe(
      `promoted on validation (4 -> 4 of 4); test 8/10 -> 8/10 (lost on test: soft-touchdown 10/10 -> 9/10); ${outOfReach}`,
    );
    expect(
      curveLines([
        { cycle: 0, test: before },
        { cycle: 1, test: after },
      ]),
    ).toEqual([
      'after 0 dream(s): 8/10 (80%; 95% CI 49–94%) satisfied, mean score 0.9 [test split]',
      'after 1 dream(s): 8/10 (80%; 95% CI 49–94%) satisfied, mean score 0.9 [test split]',
      '    criteria fewer tasks pass than before: soft-touchdown 10/10 -> 9/10',
    ]);
  });
});

describe('where a dream is, when stderr is no terminal', () => {
  it('says each stage as it starts and, while one runs long, its counts and the time left', () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new CycleProgress(
      { progress: new Progress(false, () => undefined), log: (l) => lines.push(l) },
      3,
      () => now,
    );
    const at = (ms: number, completed: number, stage = 'reflect') => {
      now = ms;
      progress.show(1, { stage, completed, total: 1000, message: 'flights' });
    };
    at(0, 0);
    at(10_000, 100); // within 30 s of the stage's line: nothing
    at(30_000, 300);
    at(45_000, 450); // within 30 s of the last line
    at(60_000, 600);
    at(61_000, 0, 'localise');
    at(62_000, 10, 'localise');
    expect(lines).toEqual([
      'dream 1 of 3: reflect ...',
      // 300 flights in 30 s: the other 700 at that pace.
      'dream 1 of 3: reflect: 300/1000; about 70 s to go',
      'dream 1 of 3: reflect: 600/1000; about 40 s to go',
      'dream 1 of 3: localise ...',
    ]);
  });
});
