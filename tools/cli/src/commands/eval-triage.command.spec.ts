import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseFiles, reformatCase, type TriageCase } from '@reverie/ci-log-triage';
import { runCli } from '../testing/run-cli';

const boom = (id: string, n: number): TriageCase => ({
  id,
  format: 'DEFAULT',
  failLines: [
    '[INFO] start',
    `BOOM: widget ${n} broke`,
    '[ERROR] Tests failed',
    '[INFO] BUILD FAILURE',
  ],
  // The passing run printed a `BOOM:` line of the same shape: day one does not take it.
  passLines: ['[INFO] start', `BOOM: widget ${n + 1} broke`, '[INFO] BUILD SUCCESS'],
  errorRanges: [{ start: 2, end: 3 }],
  contextRanges: [],
});

describe('reverie eval triage', () => {
  let dir: string;
  const write = (c: TriageCase) => {
    mkdirSync(join(dir, 'cases', c.id), { recursive: true });
    for (const [f, text] of Object.entries(caseFiles(c)))
      writeFileSync(join(dir, 'cases', c.id, f), text);
  };
  const run = runCli;
  const withPlaybook = (file: string, ...more: string[]) =>
    run('eval', 'triage', '--cases', join(dir, 'cases'), '--playbook', join(dir, file), ...more);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'reverie-eval-triage-'));
    write(boom('a_1', 1));
    write(reformatCase(boom('b_2', 2), 'github-actions-full'));
    // The format GET /v1/agents/:id/playbook answers (fields beyond these are ignored).
    const playbook = {
      version: 4,
      status: 'active',
      entries: [
        {
          id: 'boom',
          title: 'BOOM lines are errors',
          guidance: 'g',
          rationale: 'r',
          evidence: [],
          helpful: 0,
          harmful: 0,
          status: 'active',
          rule: {
            when: { feature: 'text', op: 'matches', value: '^BOOM:' },
            then: { action: 'include' },
          },
        },
        {
          id: 'old',
          title: 'retired',
          guidance: 'g',
          rationale: 'r',
          evidence: [],
          helpful: 0,
          harmful: 0,
          status: 'retired',
          rule: {
            when: { feature: 'isBlank', op: 'eq', value: false },
            then: { action: 'include' },
          },
        },
      ],
    };
    writeFileSync(join(dir, 'playbook.json'), JSON.stringify(playbook));
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        entries: [
          {
            id: 'x',
            title: 't',
            status: 'active',
            rule: { when: { feature: 'text', op: 'near', value: 1 }, then: { action: 'include' } },
          },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('scores the day-one extractor per case and overall, as JSON', async () => {
    const r = await run('eval', 'triage', '--cases', join(dir, 'cases'), '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.cases.map((c: { caseId: string }) => c.caseId)).toEqual([
      'a_1',
      'b_2@github-actions-full',
    ]);
    // The day-one markers find `[ERROR]` but not `BOOM:`: half the labelled lines.
    for (const c of json.cases) expect(c).toMatchObject({ tp: 1, fn: 1, recall: 0.5 });
    expect(json.cases[1].prefixes).toEqual(['github-actions-full']);
    expect(json.aggregate.macro.recall).toBe(0.5);
    expect(json.playbook).toBeNull();
  });

  it("runs a playbook file's active rules and says where each matched", async () => {
    const r = await withPlaybook('playbook.json', '--json');
    const json = JSON.parse(r.out);
    // It says nothing of what it was learned from: nothing is known either way.
    expect(json.playbook).toMatchObject({ version: 4, entries: 2, rules: 1, seen: null });
    for (const c of json.cases) expect(c).toMatchObject({ tp: 2, fn: 0, recall: 1 });
    expect(json.rules).toEqual([
      { entryId: 'boom', title: 'BOOM lines are errors', matchedCases: 2, changedCases: 2 },
    ]);
    const text = await withPlaybook('playbook.json');
    expect(text.out).toMatch(
      /2 case\(s\): macro precision .* F1 .*; micro precision .*, recall .*, F1 /,
    );
    expect(text.out).toMatch(/boom: matched in 2 case\(s\)/);
  });

  it("skips a folder that is no usable case, saying why, and reads CiDiff's bare-range labels", async () => {
    const cases = join(dir, 'mixed');
    mkdirSync(join(cases, 'labels_only'), { recursive: true });
    writeFileSync(join(cases, 'labels_only', 'groundtruth'), 'DEFAULT\nE 1\n');
    mkdirSync(join(cases, 'old_layout'));
    writeFileSync(join(cases, 'old_layout', 'fail.log'), boom('x', 3).failLines.join('\n'));
    writeFileSync(join(cases, 'old_layout', 'groundtruth'), '2-3\n');
    const r = await run('eval', 'triage', '--cases', cases, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.cases.map((c: { caseId: string }) => c.caseId)).toEqual(['old_layout']);
    expect(json.cases[0]).toMatchObject({ tp: 1, fn: 1 });
    expect(json.skippedCases).toEqual([
      {
        id: 'labels_only',
        reason: expect.stringMatching(/^case labels_only has no readable fail\.log/),
      },
    ]);
    expect(json.notes).toEqual(['case old_layout has no pass.log: read as no passing build']);
    const text = await run('eval', 'triage', '--cases', cases);
    expect(text.err).toMatch(
      /^note: not a usable case, skipped: case labels_only has no readable fail\.log/m,
    );
    // The total says the table is not every folder.
    expect(text.out).toMatch(
      /\n1 case\(s\) \(1 more folder\(s\) skipped as no usable case: the notes on stderr say why\): macro precision/,
    );
    // Nothing usable at all is still refused, with the reason.
    mkdirSync(join(dir, 'only-bad', 'labels_only'), { recursive: true });
    const none = await run('eval', 'triage', '--cases', join(dir, 'only-bad'));
    expect(none.code).toBe(2);
    expect(none.out).toMatch(
      /^no usable case in .*only-bad: case labels_only has no readable fail\.log/,
    );
  });

  it('keeps one table row a case when a folder name holds a newline', async () => {
    const cases = join(dir, 'odd-names');
    const c = boom('x', 4);
    mkdirSync(join(cases, 'two\nlines'), { recursive: true });
    for (const [f, text] of Object.entries(caseFiles(c)))
      writeFileSync(join(cases, 'two\nlines', f), text);
    // And one note a line for a case it skips.
    mkdirSync(join(cases, 'no\nlabels'));
    writeFileSync(join(cases, 'no\nlabels', 'fail.log'), 'x\n');
    const r = await run('eval', 'triage', '--cases', cases);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^note: .*no\\x0alabels/m);
    expect(r.err).not.toMatch(/^labels/m);
    expect(r.out).toMatch(/^two\\x0alines +DEFAULT/m);
    expect(r.out).not.toMatch(/^lines/m);
  });

  it('grades every case by an outcome definition, naming what it cannot grade offline', async () => {
    const outcome = join(dir, 'outcome.json');
    writeFileSync(
      outcome,
      JSON.stringify({
        description: 'all of the error, and an answer',
        environment: 'ci-log-triage',
        criteria: [
          { id: 'all-of-it', kind: 'label_match', metric: 'recall', min: 1, required: true },
          { id: 'answered', kind: 'tool', tool: 'submit_answer', expect: 'called', required: true },
          { id: 'explains', kind: 'judge', instructions: 'Is the cause explained?' },
        ],
      }),
    );
    // Day one finds half of each error (recall 0.5): no case satisfies it; the playbook: both.
    const dayOne = JSON.parse(
      (await run('eval', 'triage', '--cases', join(dir, 'cases'), '--outcome', outcome, '--json'))
        .out,
    ).outcome;
    expect(dayOne).toMatchObject({
      file: outcome,
      satisfied: 0,
      cases: 2,
      notGradable: ['explains'],
    });
    expect(dayOne.byCase[0]).toMatchObject({
      caseId: 'a_1',
      satisfied: false,
      failed: ['all-of-it'],
    });
    expect(dayOne.criteria).toEqual([
      { id: 'all-of-it', required: true, passRate: 0 },
      { id: 'answered', required: true, passRate: 1 },
      { id: 'explains', required: false, passRate: null },
    ]);
    const learned = await withPlaybook('playbook.json', '--outcome', outcome);
    expect(learned.out).toContain('outcome: all of the error, and an answer');
    expect(learned.out).toMatch(/satisfied 2\/2 \(100 %; 95% CI 34–100 %\)/);
    expect(learned.out).toContain('explains: not gradable offline');
    expect(dayOne.toolsNeverCalled).toEqual([]);
    // A misspelt tool fails every case: the note names the tools the triager does call.
    writeFileSync(
      outcome,
      readFileSync(outcome, 'utf8').replace('"tool":"submit_answer"', '"tool":"submit_answers"'),
    );
    const misspelt = await withPlaybook('playbook.json', '--outcome', outcome);
    expect(misspelt.out).toMatch(/satisfied 0\/2/);
    expect(misspelt.out).toMatch(
      /note: answered expects the tool "submit_answers", which no case called \(the triager's tools: .*submit_answer/,
    );

    const lunar = join(dir, 'lunar-outcome.json');
    writeFileSync(
      lunar,
      JSON.stringify({
        description: 'safe',
        environment: 'lunar-lander',
        criteria: [{ id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true }],
      }),
    );
    const other = await run('eval', 'triage', '--cases', join(dir, 'cases'), '--outcome', lunar);
    expect(other.code).toBe(2);
    expect(other.out).toContain('grades lunar-lander sessions, not ci-log-triage ones');
    // Naming no environment, it is checked as the one it grades: the lunar value is refused.
    const { environment: _e, ...unnamed } = JSON.parse(readFileSync(lunar, 'utf8'));
    writeFileSync(lunar, JSON.stringify(unnamed));
    const guessed = await run('eval', 'triage', '--cases', join(dir, 'cases'), '--outcome', lunar);
    expect(guessed.code).toBe(2);
    expect(guessed.out).toMatch(/"touchdown\.safe" is not a known value for ci-log-triage/);
    // Nothing in it gradable offline: refused, not reported as every case failing.
    const judged = join(dir, 'judged-outcome.json');
    writeFileSync(
      judged,
      JSON.stringify({
        description: 'explained',
        criteria: [{ id: 'explains', kind: 'judge', instructions: 'Is the cause explained?' }],
      }),
    );
    const none = await run('eval', 'triage', '--cases', join(dir, 'cases'), '--outcome', judged);
    expect(none.code).toBe(2);
    expect(none.out).toMatch(
      /judged-outcome\.json: none of its criteria can be graded offline \(explains: /,
    );
  });

  it.each([
    [['eval', 'triage'], /eval triage needs --cases <folder>/],
    [['eval', 'lander-x', '--cases', '/tmp'], /eval needs triage or lander, not "lander-x"/],
    [['eval', 'triage', 'extra', '--cases', '/tmp'], /eval triage: unexpected argument "extra"/],
    [
      ['eval', 'triage', '--cases', '/tmp', '--scenarios', 'f.json'],
      /reads --cases <folder>, not --scenarios/,
    ],
    [
      ['eval', 'triage', '--cases', '/tmp', '--playbook', 'a.json', '--playbook', 'b.json'],
      /takes one --playbook/,
    ],
    [
      ['eval', 'lander', '--scenarios', 'f.json', '--cases', '/tmp'],
      /reads --scenarios <file.json>, not --cases/,
    ],
    [
      'dream --offline --environment triage --cases /tmp --scenarios f.json --out /tmp/x.json'.split(
        ' ',
      ),
      /reads --cases, not --scenarios/,
    ],
    [
      'dream --offline --environment triage --cases /tmp --out /tmp/x.json --cycles 0x1'.split(' '),
      /--cycles must be a whole number from 1 to 100, not "0x1"/,
    ],
    [
      'dream --offline --environment triage --cases /tmp --out /tmp/x.json --cycles 1e9'.split(' '),
      /--cycles must be a whole number from 1 to 100, not "1e9"/,
    ],
    [
      'dream --offline --environment triage --cases /tmp --out /tmp/x.json --cycles 99999999999999999999'.split(
        ' ',
      ),
      /--cycles must be at most 100, not 99999999999999999999/,
    ],
    [
      ['eval', 'triage', '--cases', '/no/such/folder'],
      /cannot read the dataset folder \/no\/such\/folder/,
    ],
  ])('%j is a usage error', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(message);
  });

  it('refuses a bad playbook file naming the entry and field', async () => {
    const r = await withPlaybook('bad.json');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/bad\.json: entries\[0\] \(x\): rule\.when/);
    const missing = await withPlaybook('none.json');
    expect(missing.out).toMatch(/cannot read the playbook file/);
    // A role, as eval lander takes it: a triage agent has none.
    const bad = join(dir, 'bad.json');
    const role = await run(
      'eval',
      'triage',
      '--cases',
      join(dir, 'cases'),
      '--playbook',
      `navigator=${bad}`,
    );
    expect(role).toMatchObject({
      code: 2,
      out: expect.stringContaining(
        `navigator=${bad}: a triage agent has one playbook and no roles; give it as --playbook ${bad}`,
      ),
    });
    // Two entries with one id: its rules would be counted and reported as one.
    const entry = { id: 'ent_1', title: 'A', status: 'active' };
    writeFileSync(join(dir, 'twice.json'), JSON.stringify({ entries: [entry, entry] }));
    const twice = await withPlaybook('twice.json');
    expect(twice).toMatchObject({
      code: 2,
      out: expect.stringContaining('two entries have the id "ent_1"'),
    });
    // A `learnedFrom` (what dream --offline writes) that is not a list of records.
    writeFileSync(
      join(dir, 'learned.json'),
      JSON.stringify({ version: 1, entries: [entry], learnedFrom: [{ train: 'all' }] }),
    );
    expect(await withPlaybook('learned.json')).toMatchObject({
      code: 2,
      out: expect.stringContaining(
        'learned.json: "learnedFrom" must be a list of {environment, input, train, validation}',
      ),
    });
    // A version that is no whole number (it was printed as "version ?").
    writeFileSync(join(dir, 'named.json'), JSON.stringify({ version: 'abc', entries: [entry] }));
    expect(await withPlaybook('named.json')).toMatchObject({
      code: 2,
      out: expect.stringContaining('named.json: "version" must be a whole number from 0'),
    });
    // Version 0 is the empty playbook: with entries it is refused, as a dream refuses it.
    writeFileSync(join(dir, 'zero.json'), JSON.stringify({ version: 0, entries: [entry] }));
    expect((await withPlaybook('zero.json')).out).toContain(
      'zero.json: "version" 0 is the empty playbook (before the first version), but it has 1 entry',
    );
    // Each field's refusal says what it got, never "not undefined" or a missing id for a number.
    for (const [body, says] of [
      [{ entries: 'none' }, '"entries" must be a list (empty for no entries), not "none"'],
      [{ entries: [{ ...entry, id: 42 }] }, 'entries[0]: "id" must be a non-empty string, not 42'],
      [
        { entries: [{ id: 'e', title: 'A' }] },
        '(e): "status" must be one of proposed, active, retired, not nothing',
      ],
      [{ entries: ['rule'] }, 'entries[0] is not an object (an entry), but "rule"'],
    ] as const) {
      writeFileSync(join(dir, 'field.json'), JSON.stringify(body));
      expect(await withPlaybook('field.json')).toMatchObject({
        code: 2,
        out: expect.stringContaining(says),
      });
    }
  });

  it("refuses another environment's playbook instead of running the day-one extractor", async () => {
    const lunar = {
      version: 1,
      entries: [
        {
          id: 'ent_flare',
          title: 'Flare higher',
          status: 'active',
          rule: {
            when: { feature: 'step', op: 'gte', value: 0 },
            then: { action: 'set', params: { flareAltitude: 8 } },
          },
        },
      ],
    };
    writeFileSync(join(dir, 'lunar-rules.json'), JSON.stringify(lunar));
    // A lunar rule beside a triage one: run without it, and the header says it was left out.
    const triage = JSON.parse(readFileSync(join(dir, 'playbook.json'), 'utf8'));
    writeFileSync(
      join(dir, 'mixed-rules.json'),
      JSON.stringify({ ...triage, entries: [...triage.entries, ...lunar.entries] }),
    );
    const mixed = await withPlaybook('mixed-rules.json');
    expect(mixed.code).toBe(0);
    expect(mixed.err).toMatch(/^note: rule ent_flare skipped: /m);
    expect(mixed.out).toContain(
      'mixed-rules.json (version 4, 2 rule(s), 1 of them skipped: the triager cannot follow them (notes on stderr))',
    );
    const r = await withPlaybook('lunar-rules.json');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      /lunar-rules\.json: none of its 1 rule\(s\) is one the CI-log triager can follow \(rule ent_flare: when names "step"/,
    );
    // A role's playbook, with rules or none at all (a role's empty version 0): no rule to refuse,
    // so its "role" says whose it is.
    for (const [file, body] of [
      ['navigator.json', { ...lunar, role: 'navigator' }],
      ['navigator-empty.json', { role: 'navigator', version: 0, entries: [] }],
    ] as const) {
      writeFileSync(join(dir, file), JSON.stringify(body));
      const role = await withPlaybook(file);
      expect(role).toMatchObject({
        code: 2,
        out: expect.stringContaining(
          `${file} is the navigator's playbook (its "role"), and a triage agent has one playbook with no role`,
        ),
      });
      expect(role.out).not.toMatch(/macro/);
    }
  });
});
