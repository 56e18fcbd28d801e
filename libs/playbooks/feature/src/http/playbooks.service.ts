import { Injectable } from '@nestjs/common';
import { notFound } from '@reverie/http';
import {
  PlaybookVersionRepository,
  PlaybookVersionWriter,
  playbookIdFor,
  type PlaybookVersionSummary,
  type StoredPlaybookVersion,
} from '@reverie/playbooks-data-access';
import {
  applyDeltas,
  assertContentAllowed,
  diffVersions,
  emptyPlaybook,
  guardText,
  PlaybookError,
  rollbackTo,
  type Author,
  type Delta,
  type PlaybookEntry,
  type VersionStatus,
} from '@reverie/playbooks-domain';
import { AgentRepository } from '@reverie/sessions-data-access';
import { playbookPath, type PlaybookRef } from './playbook-presenters';

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/**
 * Reads and changes playbooks by hand. Every change is a new immutable version built by the
 * domain (deltas, guards, diff) on top of the active one and stored by `PlaybookVersionWriter`
 * (one insert, then announced on the compacted playbook topic); proposals (from dreams) are
 * approved or rejected here.
 */
@Injectable()
export class PlaybooksService {
  constructor(
    private readonly agents: AgentRepository,
    private readonly versions: PlaybookVersionRepository,
    private readonly writer: PlaybookVersionWriter,
  ) {}

  /** The agent's (or its role's) playbook; 404 for an agent or role the tenant does not have. */
  async locate(tenantId: string, agentId: string, role?: string): Promise<PlaybookRef> {
    const agent = await this.agents.findById(tenantId, agentId);
    if (!agent) throw notFound(`agent "${agentId}" not found; create one with POST /v1/agents`);
    if (role && !agent.roles.some((r) => r.name === role)) {
      const roles = agent.roles.map((r) => r.name);
      throw notFound(
        `agent "${agentId}" has no role "${role}"${roles.length ? ` (its roles: ${roles.join(', ')})` : ''}; add it with PATCH /v1/agents/${agentId}, or leave out ?role= for the agent's own playbook`,
      );
    }
    return { tenantId, agentId, ...(role && { role }), playbookId: playbookIdFor(agentId, role) };
  }

  active(ref: PlaybookRef): Promise<StoredPlaybookVersion | null> {
    return this.versions.findActive(ref.tenantId, ref.playbookId);
  }

  async version(ref: PlaybookRef, version: number): Promise<StoredPlaybookVersion> {
    const found = await this.versions.findVersion(ref.tenantId, ref.playbookId, version);
    if (found) return found;
    const latest = await this.versions.latestVersionNumber(ref.tenantId, ref.playbookId);
    throw new PlaybookError(
      'version_not_found',
      latest
        ? `playbook ${ref.playbookId} has no version ${version} (it has versions 1 to ${latest}); list them with GET ${playbookPath(ref, '/versions')}`
        : `playbook ${ref.playbookId} has no versions yet; add an entry with POST ${playbookPath(ref, '/entries')}`,
    );
  }

  async list(
    ref: PlaybookRef,
    query: { limit: number; beforeVersion?: number; status?: VersionStatus },
  ): Promise<Page<PlaybookVersionSummary>> {
    const rows = await this.versions.list(ref.tenantId, ref.playbookId, query);
    return { data: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }

  /** From `from` to `to` (0 is the empty playbook); `to` defaults to the active version. */
  async diff(ref: PlaybookRef, query: { from?: number; to?: number }) {
    const to = query.to ?? (await this.active(ref))?.version ?? 0;
    const toEntries = await this.entriesOf(ref, to);
    const from = query.from ?? (to ? (await this.version(ref, to)).parentVersion : 0) ?? 0;
    const fromEntries = await this.entriesOf(ref, from);
    return { from, to, diff: diffVersions({ entries: fromEntries }, { entries: toEntries }) };
  }

  /** Applies deltas to the active version (or the empty playbook) as a new active version. */
  async change(
    ref: PlaybookRef,
    author: Author,
    deltas: Delta[],
    message?: string,
  ): Promise<StoredPlaybookVersion> {
    const [head, latest] = await Promise.all([this.active(ref), this.latestNumber(ref)]);
    const base = head ?? emptyPlaybook({ ...ref });
    // The next free number, not head + 1: a pending proposal may already hold head + 1.
    const next = applyDeltas(base, deltas, author, new Date(), { message, version: latest + 1 });
    return this.writer.activate(ref.tenantId, next);
  }

  /** A new active version whose entries equal `target`'s. */
  async rollback(
    ref: PlaybookRef,
    author: Author,
    target: number,
    message?: string,
  ): Promise<StoredPlaybookVersion> {
    // rollbackTo does not check the message; every other write does.
    if (message) assertContentAllowed(guardText(message, 'message'));
    const [targetVersion, head, latest] = await Promise.all([
      this.version(ref, target),
      this.active(ref),
      this.latestNumber(ref),
    ]);
    const history = [targetVersion, ...(head && head.version !== target ? [head] : [])];
    const next = rollbackTo(history, target, author, new Date(), { message });
    return this.writer.activate(ref.tenantId, {
      ...next,
      version: Math.max(next.version, latest + 1),
    });
  }

  /**
   * Makes proposal `version` the active version and announces it. 409 `invalid_transition` when it
   * is not a proposal or was made against a version that is no longer active.
   */
  async approve(ref: PlaybookRef, author: Author, version: number): Promise<StoredPlaybookVersion> {
    await this.version(ref, version); // a 404 that says where to look
    return this.writer.approve(ref.tenantId, ref.playbookId, version, author);
  }

  /** Marks proposal `version` rejected, keeping the reason on it. */
  async reject(
    ref: PlaybookRef,
    author: Author,
    version: number,
    reason?: string,
  ): Promise<StoredPlaybookVersion> {
    await this.version(ref, version);
    return this.writer.reject(ref.tenantId, ref.playbookId, version, reason, author);
  }

  /**
   * Announces the active version again (for operators, or after a publish that failed once the
   * version was stored). Unlike a change, a failure here is the caller's error.
   */
  async publishActive(ref: PlaybookRef): Promise<StoredPlaybookVersion> {
    const head = await this.active(ref);
    if (!head)
      throw new PlaybookError(
        'version_not_found',
        `playbook ${ref.playbookId} has no active version to publish; add an entry with POST ${playbookPath(ref, '/entries')}`,
      );
    return this.writer.announce(ref.tenantId, head);
  }

  private latestNumber(ref: PlaybookRef): Promise<number> {
    return this.versions.latestVersionNumber(ref.tenantId, ref.playbookId);
  }

  private async entriesOf(ref: PlaybookRef, version: number): Promise<PlaybookEntry[]> {
    return version === 0 ? [] : (await this.version(ref, version)).entries;
  }
}
