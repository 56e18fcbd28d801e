import type { PlaybookTrial } from '@reverie/client';

/** "navigator v2 against v1", "the agent's own playbook v3 against v2" (v0: no version yet). */
export function trialVersionsText(playbooks: PlaybookTrial['playbooks']): string {
  return playbooks
    .map(
      (p) =>
        `${p.role ?? 'the agent’s own playbook'} v${p.candidate_version} against ${
          p.control_version ? `v${p.control_version}` : 'no playbook'
        }`,
    )
    .join('; ');
}

/** The running trial that serves this version of this role's playbook as its candidate, if any. */
export function trialOf(
  trials: PlaybookTrial[] | undefined,
  role: string | undefined,
  version: number,
): PlaybookTrial | undefined {
  return trials?.find(
    (t) =>
      t.status === 'running' &&
      t.playbooks.some((p) => (p.role ?? undefined) === role && p.candidate_version === version),
  );
}
