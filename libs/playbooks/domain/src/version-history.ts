import { toIso } from './apply-deltas';
import { assertContentAllowed, guardBudget, guardEntry, type GuardOptions } from './content-guard';
import { diffVersions, isEmptyDiff } from './diff-versions';
import type { PlaybookEntry } from './entry.schema';
import { PlaybookError } from './playbook-error';
import type { Author, PlaybookVersion, VersionStatus } from './version.schema';

/** The version agents run with: the active one (the newest, should history hold several). */
export function currentVersion(history: readonly PlaybookVersion[]): PlaybookVersion | undefined {
  return history
    .filter((v) => v.status === 'active')
    .reduce<PlaybookVersion | undefined>(
      (best, v) => (!best || v.version > best.version ? v : best),
      undefined,
    );
}

/** The number the next version of this playbook gets, whatever its status. */
export function nextVersionNumber(history: readonly Pick<PlaybookVersion, 'version'>[]): number {
  return history.reduce((max, v) => Math.max(max, v.version), 0) + 1;
}

const TRANSITIONS: Record<VersionStatus, readonly VersionStatus[]> = {
  proposed: ['active', 'rejected'],
  active: ['superseded'],
  rejected: [],
  superseded: [],
};

/** What to do instead when a version in this status cannot change as asked. */
const STUCK_HINT: Record<VersionStatus, string> = {
  proposed: '',
  active: '',
  superseded: '; roll back to it instead, which makes a new version with its entries',
  // A rejected proposal never ran, so there is nothing to roll back to.
  rejected: '; propose the change again against the active version instead',
};

/**
 * A version's lifecycle, the only thing about a version that ever changes: a proposal is approved
 * (active) or rejected; an active version is superseded when another becomes active.
 */
export function transitionStatus(version: PlaybookVersion, to: VersionStatus): PlaybookVersion {
  if (!TRANSITIONS[version.status].includes(to))
    throw new PlaybookError(
      'invalid_transition',
      `version ${version.version} of playbook ${version.playbookId} is ${version.status} and cannot become ${to}${STUCK_HINT[version.status]}`,
    );
  return { ...structuredClone(version), status: to };
}

/**
 * Refuses to approve a proposal made against a version that is no longer the active one: its diff
 * would silently undo what changed since. The dream (or person) should propose again.
 */
export function assertApprovable(
  history: readonly PlaybookVersion[],
  proposal: PlaybookVersion,
): void {
  if (proposal.status !== 'proposed')
    throw new PlaybookError(
      'invalid_transition',
      `version ${proposal.version} is ${proposal.status}, not proposed; only a proposal can be approved`,
    );
  const head = currentVersion(history);
  const parent = proposal.parentVersion;
  if ((head?.version ?? null) !== parent)
    throw new PlaybookError(
      'invalid_transition',
      `version ${proposal.version} was proposed against version ${parent ?? 'none'}, but the active version is now ${head?.version ?? 'none'}; reject it and propose the change again against the active version`,
    );
}

export interface RollbackOptions {
  message?: string;
  guard?: GuardOptions;
}

/**
 * A NEW active version whose entries equal `targetVersion`'s (counters included), made on top of
 * the current active version; history itself is never changed.
 */
export function rollbackTo(
  history: readonly PlaybookVersion[],
  targetVersion: number,
  author: Author,
  now: Date | string,
  options: RollbackOptions = {},
): PlaybookVersion {
  const target = history.find((v) => v.version === targetVersion);
  if (!target) {
    const known = history.map((v) => v.version).sort((a, b) => a - b);
    throw new PlaybookError(
      'version_not_found',
      `no version ${targetVersion} in this playbook's history${known.length ? ` (it has versions ${known[0]} to ${known[known.length - 1]})` : ' (it has none yet)'}; choose one of those`,
    );
  }
  if (target.status !== 'active' && target.status !== 'superseded')
    throw new PlaybookError(
      'invalid_transition',
      `version ${targetVersion} was ${target.status} and never ran; roll back to a version that was active`,
    );
  const head = currentVersion(history);
  if (!head)
    throw new PlaybookError(
      'version_not_found',
      `playbook ${target.playbookId} has no active version to roll back from`,
    );
  if (head.version === targetVersion)
    throw new PlaybookError(
      'no_change',
      `version ${targetVersion} is already the active version; nothing to roll back`,
    );

  const entries = structuredClone(target.entries) as PlaybookEntry[];
  const diff = diffVersions(head, { entries });
  if (isEmptyDiff(diff))
    throw new PlaybookError(
      'no_change',
      `version ${targetVersion} has the same entries as the active version ${head.version}; nothing to roll back`,
    );
  // Only entries that differ from the active version are checked again, as for any delta.
  const touched = new Set([...diff.added, ...diff.changed].map((e) => e.id));
  assertContentAllowed([
    ...entries.filter((e) => touched.has(e.id)).flatMap((e) => guardEntry(e, options.guard)),
    ...guardBudget(entries, options.guard),
  ]);

  return {
    playbookId: head.playbookId,
    agentId: head.agentId,
    ...(head.role !== undefined && { role: head.role }),
    version: nextVersionNumber(history),
    parentVersion: head.version,
    author: { ...author },
    message: options.message ?? `Roll back to version ${targetVersion}`,
    createdAt: toIso(now),
    entries,
    status: 'active',
    diff,
    // The rules are the target's again: so is what they were learned from.
    ...(target.learnedFrom?.length ? { learnedFrom: structuredClone(target.learnedFrom) } : {}),
  };
}
