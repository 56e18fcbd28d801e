import { emptyMemory, type PublishedPlaybook } from '@reverie/dreaming-domain';
import type { PlaybookVersion } from '@reverie/playbooks-domain';
import type { CollectedSession, EnvironmentDreamer } from '../environments/environment-dreamer';
import { DreamControl, LOCAL_LEASE } from '../pipeline/dream-control';
import { runDreamStages, type DreamPorts } from '../pipeline/dream-stages';

/** For specs: a reviewed session of agent agt_1 with no events. */
export function aSession(id: string, status: 'completed' | 'failed'): CollectedSession {
  return {
    session: { _id: id, agentId: 'agt_1', status, source: 'external' } as never,
    outcome: null,
    events: [],
  };
}

/**
 * For specs: in-memory ports that record what the publish stage stored and whether it started a
 * trial. `outcome`: the agent's outcome definition as stored (none when left out).
 */
export function memoryPorts(
  withTrials: boolean,
  opts: { running?: string | null; head?: PlaybookVersion | null; outcome?: unknown } = {},
) {
  const stored: { version: PlaybookVersion; status: string }[] = [];
  const trials: PublishedPlaybook[][] = [];
  let memory = emptyMemory('agt_1', 'external');
  const p: DreamPorts = {
    outcomeDefinition: async () =>
      opts.outcome === undefined ? null : { definition: opts.outcome, version: 1 },
    currentPlaybooks: async (roles) => new Map(roles.map((r) => [r, opts.head ?? null])),
    store: async (candidate, status) => {
      stored.push({ version: candidate, status });
      return { role: candidate.role ?? null, version: 1, status };
    },
    loadMemory: async () => structuredClone(memory),
    saveMemory: async (m) => void (memory = structuredClone(m)),
    ...(withTrials
      ? {
          startTrial: async (proposals: PublishedPlaybook[]) => {
            trials.push(proposals);
            return { trialId: 'trl_1', note: 'canary trial trl_1 started' };
          },
          runningTrial: async () => opts.running ?? null,
        }
      : {}),
  };
  return { ports: p, stored, trials };
}

/** For specs: one dream of `dreamer` over two sessions (one failed) with `p`; its notes. */
export async function dreamOnce(dreamer: EnvironmentDreamer, p: DreamPorts) {
  const control = new DreamControl(LOCAL_LEASE, 'drm_1', 'test', 60_000);
  await runDreamStages({
    spec: {
      _id: 'drm_1',
      agentId: 'agt_1',
      instructions: '',
      model: { provider: 'builtin' },
      publish: 'apply',
    } as never,
    control,
    ports: p,
    settings: { maxSimulations: 10 },
    dreamer,
    sessions: [aSession('ses_1', 'failed'), aSession('ses_2', 'completed')],
  });
  return control.notes;
}
