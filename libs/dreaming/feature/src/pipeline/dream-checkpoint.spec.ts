import { resolve } from 'node:path';
import type { DreamCheckpoint, DreamReport } from '@reverie/dreaming-domain';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { DreamControl, LOCAL_LEASE } from './dream-control';
import { runDreamStages, type DreamPorts } from './dream-stages';
import { LocalDreamPorts } from './offline-dream';
import { gradeDay, offlineEnvironment, type OfflineTasks } from './offline-sessions';

const CASES = resolve(BUNDLED_DATASETS_DIR, 'ci-breakages');
const SPEC = {
  _id: 'drm_checkpoint',
  agentId: 'agt_checkpoint',
  instructions: '',
  model: { provider: 'builtin' as const },
  publish: 'apply' as const,
};

/**
 * One run of a dream's stages (localise … report) on the bundled CI logs, over in-memory ports,
 * with `earlier` as the checkpoint an earlier run left; what it saved last, every checkpoint it
 * saved, and its report.
 */
async function runOnce(
  tasks: OfflineTasks,
  sessions: Awaited<ReturnType<typeof gradeDay>>,
  earlier: DreamCheckpoint | null,
) {
  const saves: DreamCheckpoint[] = [];
  const ports: DreamPorts = new LocalDreamPorts(
    SPEC.agentId,
    tasks.dreamer.environment,
    new Map(),
    null,
  );
  ports.checkpoint = {
    earlier,
    save: async (checkpoint) => {
      // As the store keeps it: JSON text.
      saves.push(JSON.parse(JSON.stringify({ ...checkpoint, sessionIds: [] })));
      return true;
    },
  };
  const control = new DreamControl(LOCAL_LEASE, SPEC._id, 'test', 60_000);
  await runDreamStages({
    spec: SPEC as never,
    control,
    ports,
    settings: { maxSimulations: 40 },
    dreamer: tasks.dreamer,
    sessions,
  });
  const report: DreamReport = control.report(
    { _id: SPEC._id, agentId: SPEC.agentId, createdAt: new Date() },
    'completed',
    new Date(),
  );
  return { saved: saves.at(-1) ?? null, saves, report };
}

const summaryOf = (report: DreamReport, stage: string) =>
  report.stages.find((s) => s.stage === stage)?.summary ?? '';

describe('a dream resumed from its checkpoint (the same stages, in-process)', () => {
  it('goes on from curate with what the earlier run localised and reflected, and redoes both when an input changed', async () => {
    const tasks = await offlineEnvironment('ci-log-triage').load(CASES);
    const runs = await tasks.run(new Map());
    const sessions = await gradeDay(
      tasks.dreamer.environment,
      SPEC.agentId,
      1,
      runs,
      tasks.dreamer.defaultObjective,
    );
    const reflect = jest.spyOn(tasks.dreamer, 'reflect');

    const first = await runOnce(tasks, sessions, null);
    expect(reflect).toHaveBeenCalledTimes(1);
    expect(first.saved).not.toBeNull();
    const saved = first.saved as DreamCheckpoint;
    expect(saved.stages.map((s) => s.stage)).toEqual(['localise', 'reflect']);
    expect(saved.drafts?.length).toBeGreaterThan(0);
    // Kept after localise too, for a run that ends in reflect: localise alone, no drafts.
    expect(first.saves).toHaveLength(2);
    const localised = first.saves[0];
    expect(localised).toMatchObject({ key: saved.key, drafts: null, proposals: null });
    expect(localised.stages.map((s) => s.stage)).toEqual(['localise']);
    expect(localised.localisations).toEqual(saved.localisations);
    // Something to compare: the first run validated a change.
    expect(first.report.changes.length).toBeGreaterThan(0);
    expect(first.report.validation).not.toBeNull();

    // Resumed: the reflector does not run again, and the dream decides as the first run did.
    const resumed = await runOnce(tasks, sessions, saved);
    expect(reflect).toHaveBeenCalledTimes(1);
    expect(resumed.saved).toBeNull();
    expect(summaryOf(resumed.report, 'reflect')).toBe(
      `kept from an earlier run of this dream: ${summaryOf(first.report, 'reflect')}`,
    );
    expect(summaryOf(resumed.report, 'localise')).toMatch(/^kept from an earlier run/);
    expect(resumed.report.localisations).toEqual(first.report.localisations);
    expect(resumed.report.changes).toEqual(first.report.changes);
    expect(resumed.report.validation).toEqual(first.report.validation);
    expect(resumed.report.test).toEqual(first.report.test);
    // Only what ran again is counted in this run: validation and the test report.
    const kept = resumed.report.stages.filter((s) => /^kept/.test(s.summary));
    expect(kept.every((s) => s.simulations === 0)).toBe(true);

    // Resumed from the localise checkpoint: localise is kept, reflect runs again, and the dream
    // decides as the first did; its checkpoint holds both stages as they first ran.
    const fromLocalise = await runOnce(tasks, sessions, localised);
    expect(reflect).toHaveBeenCalledTimes(2);
    expect(summaryOf(fromLocalise.report, 'localise')).toMatch(/^kept from an earlier run/);
    expect(summaryOf(fromLocalise.report, 'reflect')).toBe(summaryOf(first.report, 'reflect'));
    expect(fromLocalise.report.changes).toEqual(first.report.changes);
    expect(fromLocalise.report.validation).toEqual(first.report.validation);
    expect(fromLocalise.saves).toHaveLength(1);
    expect(fromLocalise.saved?.stages.map((s) => s.summary)).toEqual(
      saved.stages.map((s) => s.summary),
    );
    expect(fromLocalise.saved?.notes).toEqual(saved.notes);

    // A checkpoint made from other inputs (a playbook approved in between, say) is not used.
    const stale = await runOnce(tasks, sessions, { ...saved, key: 'made-from-other-inputs' });
    expect(reflect).toHaveBeenCalledTimes(3);
    expect(summaryOf(stale.report, 'reflect')).not.toMatch(/^kept/);
    expect(stale.report.notes.join('\n')).toMatch(/every stage ran again/);
    expect(stale.saved?.key).toBe(saved.key);
  }, 300_000);
});
