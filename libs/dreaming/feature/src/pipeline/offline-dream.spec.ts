import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandFamily, STRESS_FAMILIES } from '@reverie/lunar-lander';
import { LANDER_DEFAULT_OBJECTIVE } from '../environments/default-objectives';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { runOfflineDream, presentPlaybook } from './offline-dream';
import {
  gradeDay,
  offlineEnvironment,
  OfflineInputError,
  readScenarioInput,
} from './offline-sessions';

const CASES = resolve(BUNDLED_DATASETS_DIR, 'ci-breakages');

describe('runOfflineDream (the service pipeline stages, in-process, no stack)', () => {
  it('dreams on triage cases: splits, objective, test curve, and a playbook in the API format', async () => {
    const tasks = await offlineEnvironment('ci-log-triage').load(CASES);
    const cycles: number[] = [];
    const sessions: string[] = [];
    const r = await runOfflineDream({
      agentId: 'agt_offline',
      tasks,
      cycles: 3,
      start: new Map(),
      outcome: null,
      maxSimulations: 40,
      onCycle: (c) => void cycles.push(c),
      onProgress: (c, p) => {
        if (c === 1 && p.stage === 'sessions') sessions.push(`${p.completed}/${p.total}`);
      },
    });
    // The day's runs count up task by task before the first dream's stages.
    expect(sessions).toEqual(['0/0', ...Array.from({ length: 20 }, (_, i) => `${i + 1}/20`)]);
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
    const later = r.reports.slice(1).flatMap((x) => x.notes);
    if (refusedOnce && later.length)
      expect(later.some((n) => /refused|nothing left to learn/.test(n))).toBe(true);
    if (r.reports.length < 3) expect(r.stopped).toMatch(/nothing left to learn/);
    const file = presentPlaybook('agt_offline', null, r.playbooks.get(null) ?? null);
    expect(file).toMatchObject({ type: 'playbook_version', agentId: 'agt_offline', role: null });
    const promoted = r.reports.some((x) => x.validation?.promote);
    expect(file.version > 0).toBe(promoted || r.reports.some((x) => x.publication !== null));
  }, 300_000);

  it('refuses a missing cases directory and an unknown environment in one line', async () => {
    await expect(offlineEnvironment('ci-log-triage').load('/nonexistent/cases')).rejects.toThrow(
      OfflineInputError,
    );
    expect(() => offlineEnvironment('chess')).toThrow(
      /unknown environment "chess"; offline dreams run: /,
    );
  });

  it('reads a scenario file written with a byte-order mark, and names a file that is no JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reverie-scenarios-'));
    try {
      const family = { ...STRESS_FAMILIES['tight-fuel'], count: 2 };
      writeFileSync(join(dir, 'bom.json'), `\uFEFF${JSON.stringify(family)}`);
      const { scenarios } = await readScenarioInput(join(dir, 'bom.json'));
      expect(scenarios).toHaveLength(2);
      writeFileSync(join(dir, 'broken.json'), '{"family":');
      await expect(readScenarioInput(join(dir, 'broken.json'))).rejects.toThrow(
        new RegExp(`^${join(dir, 'broken.json')} is not JSON: `),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("validates a family file's dream on fresh draws of the family too (60, or as many as asked), a file of scenarios on its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reverie-scenarios-'));
    const splitNote = async (file: string, json: unknown, freshDraws?: number) => {
      writeFileSync(join(dir, file), JSON.stringify(json));
      const env = offlineEnvironment('lander');
      const tasks = await env.load(join(dir, file), { freshDraws });
      const day = await gradeDay(
        env.environment,
        'agt_offline',
        1,
        await tasks.run(new Map()),
        LANDER_DEFAULT_OBJECTIVE,
      );
      return tasks.dreamer.describeSplit(await tasks.dreamer.prepare(day)).note;
    };
    try {
      const family = { ...STRESS_FAMILIES['tight-fuel'], family: 'my-fuel', count: 8 };
      expect(await splitNote('family.json', family)).toMatch(
        /validation \d+ \(\d+ held out and 60 fresh draws of the input's families, flown by no session and never in the test\)/,
      );
      expect(await splitNote('list.json', expandFamily(family))).not.toMatch(/fresh draws/);
      expect(await splitNote('family.json', family, 0)).not.toMatch(/fresh draws/);
      expect(await splitNote('family.json', family, 9)).toMatch(/and 9 fresh draws/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
