import {
  PlaybookVersionRepository,
  playbookIdFor,
  type TrialAssignment,
} from '@reverie/playbooks-data-access';
import { renderMarkdown, renderRules, type PlaybookRule } from '@reverie/playbooks-domain';

/**
 * The playbook one role (or the agent itself, `role: null`) runs a new external session with:
 * the version, the text to put in a prompt, and the structured rules a deterministic agent obeys.
 */
export interface ServedPlaybook {
  role: string | null;
  playbookId: string;
  /** 0 when the playbook has no version yet (the text then says there are no lessons). */
  version: number;
  /** The arm of the agent's canary trial this version is (absent: no trial covers it). */
  trial?: { trialId: string; arm: 'candidate' | 'control' };
  text: string;
  rules: PlaybookRule[];
}

export interface StartingPlaybooks {
  /** The agent's own playbook version, as the started event records it (null: none yet). */
  playbook: { playbookId: string; version: number } | null;
  /** For a team: each role's version (null: that role has none yet); undefined for one agent. */
  rolePlaybooks?: Record<string, { playbookId: string; version: number } | null>;
  served: ServedPlaybook[];
  /** The canary trial the session runs in and its arm (absent: none running). */
  trial?: { trialId: string; arm: 'candidate' | 'control' };
}

/**
 * What a new external session of `agent` starts with: the active version of the agent's own
 * playbook and of each role's, read once, so the response to `POST /v1/sessions` gives the agent
 * its prompt text and the session records the versions it ran with. When the session runs in the
 * agent's canary trial (`trial`, assigned by `PlaybookTrialWriter.assign`), the candidate arm is
 * served the trial's candidate version of each playbook the trial covers instead.
 */
export async function startingPlaybooks(
  versions: PlaybookVersionRepository,
  tenantId: string,
  agent: { _id: string; roles: readonly { name: string }[] },
  trial: TrialAssignment | null = null,
): Promise<StartingPlaybooks> {
  const roles: (string | null)[] = [null, ...agent.roles.map((r) => r.name)];
  const served = await Promise.all(
    roles.map(async (role): Promise<ServedPlaybook> => {
      const playbookId = playbookIdFor(agent._id, role);
      const onTrial = trial?.playbooks.find((p) => p.playbookId === playbookId);
      const candidate =
        onTrial && trial?.arm === 'candidate'
          ? await versions.findVersion(tenantId, playbookId, onTrial.candidate)
          : null;
      const active = candidate ?? (await versions.findActive(tenantId, playbookId));
      return {
        role,
        playbookId,
        ...(onTrial && trial ? { trial: { trialId: trial.trialId, arm: trial.arm } } : {}),
        version: active?.version ?? 0,
        ...rendered(active, agent._id, role),
      };
    }),
  );
  const ref = (s: ServedPlaybook) =>
    s.version ? { playbookId: s.playbookId, version: s.version } : null;
  const teamRoles = served.slice(1);
  return {
    playbook: ref(served[0]),
    ...(teamRoles.length
      ? { rolePlaybooks: Object.fromEntries(teamRoles.map((s) => [s.role as string, ref(s)])) }
      : {}),
    served,
    ...(trial ? { trial: { trialId: trial.trialId, arm: trial.arm } } : {}),
  };
}

/** A served playbook without its text: which version of which playbook, enough to serve it again. */
export type ServedRef = Omit<ServedPlaybook, 'text' | 'rules'>;

export function servedRef(served: ServedPlaybook): ServedRef {
  return {
    role: served.role,
    playbookId: served.playbookId,
    version: served.version,
    ...(served.trial ? { trial: served.trial } : {}),
  };
}

/**
 * The playbooks a session was served, rendered again from the versions `refs` name (versions are
 * immutable): a retry of `POST /v1/sessions` under its `Idempotency-Key` answers what the first
 * request did, whatever became active since.
 */
export function servedAgain(
  versions: PlaybookVersionRepository,
  tenantId: string,
  agentId: string,
  refs: ServedRef[],
): Promise<ServedPlaybook[]> {
  return Promise.all(
    refs.map(async (ref) => {
      const stored = ref.version
        ? await versions.findVersion(tenantId, ref.playbookId, ref.version)
        : null;
      return { ...ref, ...rendered(stored, agentId, ref.role) };
    }),
  );
}

type RenderableVersion = Parameters<typeof renderMarkdown>[0] & Parameters<typeof renderRules>[0];

/** A version's prompt text and rules (none yet: the text says there are no lessons). */
function rendered(version: RenderableVersion | null, agentId: string, role: string | null) {
  const shown = version ?? { agentId, version: 0, entries: [] };
  return {
    text: renderMarkdown(shown, role ? { role } : {}),
    rules: version ? renderRules(version) : [],
  };
}
