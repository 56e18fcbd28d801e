import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandFamily } from '@reverie/lunar-lander';
import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { LANDER_DEFAULT_OBJECTIVE } from '../environments/default-objectives';
import { runOfflineDream, presentPlaybook } from './offline-dream';
import { offlineEnvironment, OfflineInputError } from './offline-sessions';

const CASES = resolve(BUNDLED_DATASETS_DIR, 'ci-breakages');

describe('runOfflineDream (the service pipeline stages, in-process, no stack)', () => {
  it('dreams on triage cases: splits, objective, test curve, and a playbook in the API format', async () => {
    const tasks = await offlineEnvironment('ci-log-triage').load(CASES);
    const cycles: number[] = [];
    const r = await runOfflineDream({
      agentId: 'agt_offline',
      tasks,
      cycles: 3,
      start: new Map(),
      outcome: null,
      maxSimulations: 40,
      onCycle: (c) => void cycles.push(c),
    });
    expect(r.reports.length).toBeGreaterThan(0);
    expect(cycles).toEqual(r.reports.map((_, i) => i + 1));
    const first = r.reports[0];
    // The default rubric (the agent has none), said so; every number names its split.
    expect(first.objective).toMatchObject({ source: 'default', version: null });
    expect(first.notes.join('\n')).toMatch(/splits: train \d+ case\(s\), validation \d+, test \d+/);
    if (first.validation) expect(first.validation.split).toBe('validation');
    expect(first.test?.split).toBe('test');
    expect(first.test?.before.tasks).toBeGreaterThan(0);
    // The test curve: cycle 0 (before any dream), then one point per dream.
    expect(r.curve.map((p) => p.cycle)).toEqual([0, ...r.reports.map((_, i) => i + 1)]);
    for (const p of r.curve) expect(p.test?.split).toBe('test');
    // A dream that refused alternatives remembers them: the next skips them, or stops early.
    const refusedOnce = r.reports.some((x) => x.notes.some((n) => /not promoted/.test(n)));
    if (refusedOnce && r.reports.length > 1)
      expect(r.reports.slice(1).some((x) => x.notes.some((n) => /refused/.test(n)))).toBe(true);
    if (r.reports.length < 3) expect(r.stopped).toMatch(/nothing left to learn/);
    const file = presentPlaybook('agt_offline', null, r.playbooks.get(null) ?? null);
    expect(file).toMatchObject({ type: 'playbook_version', agentId: 'agt_offline', role: null });
    const promoted = r.reports.some((x) => x.validation?.promote);
    expect(file.version > 0).toBe(promoted || r.reports.some((x) => x.publication !== null));
  }, 300_000);

  it("gates lunar promotions on the outcome definition's family tolerance", async () => {
    // Three families flown by one team: the guidance that lands tight-fuel and easy costs
    // high-gate landings on validation, which the operator's rule forbids.
    const file = join(await mkdtemp(join(tmpdir(), 'reverie-families-')), 'scenarios.json');
    const families = ['high-gate', 'tight-fuel', 'easy'];
    await writeFile(file, JSON.stringify(families.flatMap((f) => expandFamily(f).slice(0, 15))));
    const r = await runOfflineDream({
      agentId: 'agt_families',
      tasks: await offlineEnvironment('lander').load(file),
      cycles: 1,
      start: new Map(),
      outcome: parseOutcomeDefinition({
        ...LANDER_DEFAULT_OBJECTIVE,
        promotion: { familyTolerance: 0 },
      }),
      maxSimulations: 1000,
    });
    const notes = r.reports[0].notes.join('\n');
    expect(notes).toMatch(
      /not promoted: .*refused: family high-gate \d+ -> \d+ of \d+ satisfied, more than the family tolerance of 0/,
    );
  }, 300_000);

  it('refuses a missing cases directory and an unknown environment in one line', async () => {
    await expect(offlineEnvironment('ci-log-triage').load('/nonexistent/cases')).rejects.toThrow(
      OfflineInputError,
    );
    expect(() => offlineEnvironment('chess')).toThrow(
      /unknown environment "chess"; offline dreams run: /,
    );
  });
});
