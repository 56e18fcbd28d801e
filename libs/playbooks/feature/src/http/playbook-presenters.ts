import type { PlaybookVersionSummary, StoredPlaybookVersion } from '@reverie/playbooks-data-access';
import type { PlaybookDiff } from '@reverie/playbooks-domain';

/** Which playbook a request is about. */
export interface PlaybookRef {
  tenantId: string;
  agentId: string;
  role?: string;
  playbookId: string;
}

/** The playbook's base path, with `?role=` when it is a role's: used in hints. */
export function playbookPath(ref: Pick<PlaybookRef, 'agentId' | 'role'>, suffix = ''): string {
  return `/v1/agents/${ref.agentId}/playbook${suffix}${ref.role ? `?role=${ref.role}` : ''}`;
}

const EMPTY_DIFF: PlaybookDiff = { added: [], removed: [], changed: [] };

/** A version without its entries, as listed. */
export function presentSummary(v: PlaybookVersionSummary) {
  return {
    type: 'playbook_version' as const,
    playbookId: v.playbookId,
    agentId: v.agentId,
    role: v.role ?? null,
    version: v.version,
    parentVersion: v.parentVersion,
    status: v.status,
    author: v.author,
    message: v.message ?? null,
    createdAt: v.createdAt,
    publishedAt: v.publishedAt,
    /** Who approved or rejected a proposal, when and why; null for versions never proposed. */
    review: v.review ?? null,
    diff: v.diff,
  };
}

/**
 * A whole version: also its entries, and what the dreams that wrote its rules learned from and
 * chose on (`learnedFrom`, empty when none did), so `reverie eval` on the operator's own tasks
 * can say which of them are not held-out for it.
 */
export function presentVersion(v: StoredPlaybookVersion) {
  return { ...presentSummary(v), entries: v.entries, learnedFrom: v.learnedFrom ?? [] };
}

/**
 * What GET answers for an agent with no playbook yet: version 0, no entries, `status: "empty"`
 * and a hint, so a reader (an agent about to run) needs no special case for a 404.
 */
export function presentEmpty(ref: PlaybookRef) {
  return {
    type: 'playbook_version' as const,
    playbookId: ref.playbookId,
    agentId: ref.agentId,
    role: ref.role ?? null,
    version: 0,
    parentVersion: null,
    status: 'empty' as const,
    author: null,
    message: null,
    createdAt: null,
    publishedAt: null,
    review: null,
    diff: EMPTY_DIFF,
    entries: [],
    learnedFrom: [],
    hint: `no playbook version yet; add an entry with POST ${playbookPath(ref, '/entries')}`,
  };
}
