import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskDigest } from '@reverie/dreaming-feature';
import { STRESS_FAMILIES, scenariosFromJson, type Scenario } from '@reverie/lunar-lander';
import { runCli } from '../testing/run-cli';

describe('reverie eval lander', () => {
  let dir: string;
  const run = runCli;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-lander-'));
    // A family no bundled name knows: three tight-fuel scenarios under a name of our own.
    writeFileSync(
      join(dir, 'family.json'),
      JSON.stringify({ ...STRESS_FAMILIES['tight-fuel'], family: 'my-tight', count: 3 }),
    );
    // A Navigator playbook as GET /v1/agents/:id/playbook?role=navigator answers it.
    writeFileSync(
      join(dir, 'navigator.json'),
      JSON.stringify({
        role: 'navigator',
        version: 2,
        entries: [
          {
            id: 'ent_guidance',
            title: 'Navigator guidance for the whole flight',
            status: 'active',
            rule: {
              when: { feature: 'step', op: 'gte', value: 0 },
              then: {
                action: 'set',
                params: {
                  guidanceLaw: 1,
                  brakingAccelFraction: 0.9,
                  flareAltitude: 8,
                  engineOffBelow: 0.08,
                  minDescentRate: 2,
                  descentRateGain: 0.25,
                },
              },
            },
          },
        ],
      }),
    );
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ id: 'x', family: 'f', seed: 1 }));
    // A triage playbook: its rule is one no lunar role can follow.
    writeFileSync(
      join(dir, 'triage.json'),
      JSON.stringify({
        version: 1,
        entries: [
          {
            id: 'ent_boom',
            title: 'Keep BOOM lines',
            status: 'active',
            rule: {
              when: { feature: 'text', op: 'matches', value: 'BOOM' },
              then: { action: 'include' },
            },
          },
        ],
      }),
    );
    // A family file without its seed: read as a family, so the error names the family's field.
    const { seed: _seed, ...noSeed } = STRESS_FAMILIES['tight-fuel'];
    writeFileSync(join(dir, 'no-seed.json'), JSON.stringify({ ...noSeed, family: 'my-tight' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports per scenario and per family, and a playbook changes the numbers', async () => {
    const before = await run('eval', 'lander', '--scenarios', join(dir, 'family.json'), '--json');
    expect(before.code).toBe(0);
    const a = JSON.parse(before.out);
    expect(a.scenarios.map((s: { scenario: string }) => s.scenario)).toEqual([
      'my-tight-00',
      'my-tight-01',
      'my-tight-02',
    ]);
    expect(a.families[0]).toMatchObject({ family: 'my-tight', flights: 3, satisfied: 0 });
    // How the landings that were not safe ended: every one counted once, by its row's outcome.
    type Counts = Record<string, number>;
    const total = (c: Counts) => Object.values(c).reduce((x, y) => x + y, 0);
    for (const f of [...a.families, a.aggregate])
      expect(total(f.notSafe as Counts)).toBe(f.flights - f.safe);
    const outcomes = (a.scenarios as { outcome: string }[])
      .map((r) => r.outcome)
      .filter((o) => o !== 'safe');
    expect(Object.keys(a.aggregate.notSafe).sort()).toEqual([...new Set(outcomes)].sort());
    const after = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--playbook',
      join(dir, 'navigator.json'),
      '--json',
    );
    const b = JSON.parse(after.out);
    expect(b.rulesByRole).toEqual({ navigator: 1 });
    expect(b.aggregate.satisfied).toBeGreaterThan(a.aggregate.satisfied);
    expect(b.aggregate.medianFuelOverLimit).toBeLessThan(1.3);
    // The playbook says a dream learned from my-tight-01 and chose on my-tight-02: said so.
    const [s0, s1, s2] = scenariosFromJson(
      JSON.parse(readFileSync(join(dir, 'family.json'), 'utf8')),
    );
    const ref = (s: Scenario) => ({ id: s.id, digest: taskDigest(s) });
    const learned = join(dir, 'learned-navigator.json');
    writeFileSync(
      learned,
      JSON.stringify({
        ...JSON.parse(readFileSync(join(dir, 'navigator.json'), 'utf8')),
        learnedFrom: [
          {
            environment: 'lunar-lander',
            input: 'family.json',
            // my-tight-00 drawn with another seed: the same id, another scenario.
            train: [ref(s1), { id: 'other-00', digest: 'ffffffffffffffff' }],
            validation: [ref(s2), { id: s0.id, digest: taskDigest({ ...s0, seed: 1 }) }],
          },
        ],
      }),
    );
    const seen = await run(
      ...`eval lander --scenarios ${join(dir, 'family.json')} --playbook ${learned} --json`.split(
        ' ',
      ),
    );
    const answer = JSON.parse(seen.out);
    expect(answer.notes).toEqual([
      `${learned}: of these 3 scenarios, the dreams that wrote it (on family.json) learned from 1 (training split: my-tight-01) and chose on 1 (validation split: my-tight-02), the same scenarios by content; their numbers are not held-out and flatter it: judge it by the other 1 (my-tight-00)`,
    ]);
    expect(answer.seen).toEqual({
      train: ['my-tight-01'],
      validation: ['my-tight-02'],
      heldOut: ['my-tight-00'],
      inputs: ['family.json'],
    });
    const text = await run('eval', 'lander', '--scenarios', join(dir, 'family.json'));
    expect(text.out).toMatch(/my-tight +satisfied 0\/3 \(0 %; 95% CI 0–56 %\)/);
    // Beside the safe count, the others by outcome, as in the JSON.
    const causes = Object.entries(a.aggregate.notSafe as Record<string, number>)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    expect(text.out).toContain(
      `safe ${a.aggregate.safe}/3${causes ? ` (${causes})` : ''}, ${a.aggregate.satisfied ? 'median fuel' : 'no satisfied landing to take a fuel median of'}`,
    );
    expect(text.out).toMatch(/^all families +satisfied 0\/3/m);
    expect(text.out).toContain('rubric: safe, within 50 m of the site');
  }, 180_000);

  it('grades by an outcome definition instead of the rubric, and says what it cannot grade', async () => {
    // Any touchdown within 100x the fuel limit, with a tool call a result cannot show (required).
    const outcome = join(dir, 'outcome.json');
    writeFileSync(
      outcome,
      JSON.stringify({
        description: 'touch down, whatever the fuel',
        environment: 'lunar-lander',
        criteria: [
          { id: 'any-fuel', kind: 'bound', path: 'fuel.over_limit', op: 'lte', value: 100 },
          { id: 'commanded', kind: 'tool', tool: 'command', expect: 'called', required: true },
        ],
      }),
    );
    const args = ['eval', 'lander', '--scenarios', join(dir, 'family.json'), '--outcome', outcome];
    const graded = JSON.parse((await run(...args, '--json')).out);
    const rubric = JSON.parse(
      (await run('eval', 'lander', '--scenarios', join(dir, 'family.json'), '--json')).out,
    );
    expect(graded.outcome).toEqual({
      file: outcome,
      description: 'touch down, whatever the fuel',
      notGradable: ['commanded'],
    });
    expect(graded.rubric).toBeUndefined();
    expect(rubric.aggregate.satisfied).toBe(0);
    expect(graded.aggregate.satisfied).toBe(3);
    const text = await run(...args);
    expect(text.out).toContain(`outcome: touch down, whatever the fuel (${outcome})`);
    expect(text.out).toContain(
      'not gradable offline (counted neither way; live grading checks them): commanded',
    );

    const triage = join(dir, 'triage-outcome.json');
    writeFileSync(
      triage,
      JSON.stringify({
        description: 'finds the error',
        environment: 'ci-log-triage',
        criteria: [{ id: 'f1', kind: 'label_match', metric: 'f1', min: 0.7 }],
      }),
    );
    const other = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--outcome',
      triage,
    );
    expect(other.code).toBe(2);
    expect(other.out).toContain(
      'triage-outcome.json: this outcome definition grades ci-log-triage sessions, not lunar-lander ones',
    );
  }, 180_000);

  it('refuses bad input with one line naming the problem', async () => {
    expect(await run('eval', 'lander')).toMatchObject({
      code: 2,
      out: expect.stringContaining('eval lander needs --scenarios'),
    });
    const bad = await run('eval', 'lander', '--scenarios', join(dir, 'bad.json'));
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/bad\.json: craft: is required/);
    const noSeed = await run('eval', 'lander', '--scenarios', join(dir, 'no-seed.json'));
    expect(noSeed).toMatchObject({ code: 2 });
    expect(noSeed.out).toMatch(/no-seed\.json: family "my-tight": seed: /);
    const missing = await run('eval', 'lander', '--scenarios', join(dir, 'nope.json'));
    expect(missing.out).toContain('cannot read the scenarios file');
    // A team's dream wrote team.<role>.json (and its reports), no team.json: the files are named.
    for (const f of ['team.navigator.json', 'team.commander.json', 'team.report.json'])
      writeFileSync(join(dir, f), readFileSync(join(dir, 'navigator.json')));
    const roleFiles = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--playbook',
      join(dir, 'team.json'),
    );
    expect(roleFiles).toMatchObject({
      code: 2,
      out: `cannot read the playbook file ${join(dir, 'team.json')}: it does not exist, but ${join(dir, 'team.commander.json')}, ${join(dir, 'team.navigator.json')} do; a team's dream writes one playbook per role: give each as --playbook (e.g. --playbook ${join(dir, 'team.commander.json')} --playbook ${join(dir, 'team.navigator.json')})`,
    });
    // With no such files beside it, the plain refusal.
    const noRoleFiles = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--playbook',
      join(dir, 'solo.json'),
    );
    expect(noRoleFiles.out).toMatch(/^cannot read the playbook file .*solo\.json: ENOENT/);
    // A file that is no playbook (a scenario): said so, before any talk of its role.
    const notAPlaybook = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--playbook',
      join(dir, 'bad.json'),
    );
    expect(notAPlaybook).toMatchObject({
      code: 2,
      out: expect.stringContaining('bad.json is not a playbook: expected an object with "entries"'),
    });
  });

  it("refuses another role's or another environment's playbook instead of flying without it", async () => {
    const withPlaybook = (spec: string) =>
      run('eval', 'lander', '--scenarios', join(dir, 'family.json'), '--playbook', spec);
    const otherRole = await withPlaybook(`commander=${join(dir, 'navigator.json')}`);
    expect(otherRole.code).toBe(2);
    expect(otherRole.out).toContain(
      'is the navigator\'s playbook (its "role"), not the commander\'s',
    );
    const noSuchRole = await withPlaybook(`pilot=${join(dir, 'navigator.json')}`);
    expect(noSuchRole).toMatchObject({ code: 2, out: expect.stringContaining('no role "pilot"') });
    // The same role twice (the role from the file, then named): refused, not run twice over.
    const twice = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--playbook',
      join(dir, 'navigator.json'),
      '--playbook',
      `navigator=${join(dir, 'navigator.json')}`,
    );
    expect(twice).toMatchObject({
      code: 2,
      out: expect.stringContaining('a second playbook for the navigator; give one per role'),
    });
    // A rule the navigator cannot follow beside one it can: flown without it, and said so in
    // the --json answer as well (where stderr is quiet), not counted among the role's rules.
    const mixed = join(dir, 'mixed.json');
    const navigator = JSON.parse(readFileSync(join(dir, 'navigator.json'), 'utf8'));
    const triageRule = JSON.parse(readFileSync(join(dir, 'triage.json'), 'utf8')).entries[0];
    writeFileSync(
      mixed,
      JSON.stringify({ ...navigator, entries: [...navigator.entries, triageRule] }),
    );
    const json = await run(
      'eval',
      'lander',
      '--scenarios',
      join(dir, 'family.json'),
      '--playbook',
      mixed,
      '--json',
    );
    expect(json.code).toBe(0);
    const answer = JSON.parse(json.out);
    expect(answer.rulesByRole).toEqual({ navigator: 1 });
    expect(answer.notes).toEqual([
      expect.stringMatching(
        /mixed\.json: rule ent_boom skipped: the navigator has no action "include"/,
      ),
    ]);
    const triage = await withPlaybook(`navigator=${join(dir, 'triage.json')}`);
    expect(triage.code).toBe(2);
    expect(triage.out).toMatch(
      /triage\.json: none of its 1 rule\(s\) is one the lunar navigator can follow \(rule ent_boom: the navigator has no action "include"/,
    );
    // A role and no file after it.
    expect(await withPlaybook('navigator=')).toMatchObject({
      code: 2,
      out: expect.stringMatching(/--playbook navigator= names the role but no file/),
    });
    // No role named, none in the file: said at once that no role can follow it, not "name a role".
    const unnamed = await withPlaybook(join(dir, 'triage.json'));
    expect(unnamed).toMatchObject({
      code: 2,
      out: expect.stringMatching(
        /triage\.json: none of its 1 rule\(s\) is one any of the roles \(detector, commander, navigator\) can follow \(rule ent_boom: .*another environment's playbook\?/,
      ),
    });
    // A role-less file of navigator rules: the role it fits is the one suggested.
    const { role: _role, ...roleless } = navigator;
    writeFileSync(join(dir, 'roleless.json'), JSON.stringify(roleless));
    const suggested = await withPlaybook(join(dir, 'roleless.json'));
    expect(suggested).toMatchObject({
      code: 2,
      out: expect.stringContaining(
        `cannot tell which role's playbook it is; give it as --playbook navigator=${join(dir, 'roleless.json')}`,
      ),
    });
  });
});
