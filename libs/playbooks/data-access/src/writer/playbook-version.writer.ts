import { Injectable, Logger } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { EventPublisher } from '@reverie/kafka';
import {
  assertApprovable,
  assertContentAllowed,
  guardText,
  PlaybookError,
  transitionStatus,
  type Author,
  type PlaybookVersion,
} from '@reverie/playbooks-domain';
import { PlaybookConflictError } from '../repositories/playbook-conflict.error';
import type { StoredPlaybookVersion, VersionReview } from '../repositories/playbook-version.mapper';
import { PlaybookVersionRepository } from '../repositories/playbook-version.repository';
import { versionActivatedEvent } from './playbook-activated.event';

/**
 * Writes new playbook versions and decides proposals, for every service that changes playbooks
 * (the gateway's REST API, the dreamer). Without transactions: each step is one single-document
 * write, ordered so that a crash between two of them leaves reads correct (the active version is
 * the highest one whose status is active) and the next write tidies up. Needs `EventPublisher`
 * (the platform module's Kafka) for the announcements on the compacted playbook topic.
 */
@Injectable()
export class PlaybookVersionWriter {
  private readonly logger = new Logger('Playbooks');

  constructor(
    private readonly versions: PlaybookVersionRepository,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * Stores `version` as the new active version, supersedes the older active ones and announces
   * it. Throws `PlaybookConflictError` if its number is taken; a failure after the insert is only
   * logged (the version is stored, and `publishedAt` stays null when the announcement failed).
   */
  async activate(tenantId: string, version: PlaybookVersion): Promise<StoredPlaybookVersion> {
    expectStatus(version, 'active', 'activate');
    const stored = await this.versions.insert(tenantId, version);
    return this.takeEffect(tenantId, stored);
  }

  /**
   * Stores `version` as a proposal that waits for `approve` or `reject`: nothing is superseded or
   * announced, and agents keep running the active version. Throws `PlaybookConflictError` if its
   * number is taken.
   */
  async propose(tenantId: string, version: PlaybookVersion): Promise<StoredPlaybookVersion> {
    expectStatus(version, 'proposed', 'propose');
    return this.versions.insert(tenantId, version);
  }

  /**
   * Makes a proposal the active version, provided it was made against the version that is active
   * now (`assertApprovable`): `invalid_transition` if it is not (or no longer) a proposal or was
   * made against an older version, `version_not_found` if there is no such version, and
   * `conflict_error` if another version became active while it was being approved.
   */
  async approve(
    tenantId: string,
    playbookId: string,
    version: number,
    author?: Author,
  ): Promise<StoredPlaybookVersion> {
    const [proposal, head] = await Promise.all([
      this.versions.findVersion(tenantId, playbookId, version),
      this.versions.findActive(tenantId, playbookId),
    ]);
    if (!proposal) throw await this.notFound(tenantId, playbookId, version);
    assertApprovable(head ? [head] : [], proposal);

    const review = decision('approved', author);
    // The conditional update is what makes the decision: of an approval and a rejection (or two
    // approvals) racing, only one finds the version still proposed.
    const decided = await this.versions.setStatus(
      tenantId,
      playbookId,
      version,
      'proposed',
      'active',
      review,
    );
    if (!decided) throw await this.decidedMeanwhile(tenantId, playbookId, version, 'active');
    const approved: StoredPlaybookVersion = {
      ...transitionStatus(proposal, 'active'),
      review,
      publishedAt: null,
    };

    // A change stored between the check above and the update would be newer than the proposal
    // and stay the active version; announcing the proposal then would tell agents otherwise.
    const now = await this.versions.findActive(tenantId, playbookId);
    if (now && now.version !== version) {
      await this.supersede(tenantId, playbookId, now.version);
      throw new PlaybookConflictError(playbookId, now.version);
    }
    return this.takeEffect(tenantId, approved);
  }

  /**
   * Marks a proposal rejected, with an optional reason (content-checked like any message) kept on
   * the version. `invalid_transition` if it is not a proposal, `version_not_found` if missing.
   */
  async reject(
    tenantId: string,
    playbookId: string,
    version: number,
    reason?: string,
    author?: Author,
  ): Promise<StoredPlaybookVersion> {
    if (reason) assertContentAllowed(guardText(reason, 'reason'));
    const proposal = await this.versions.findVersion(tenantId, playbookId, version);
    if (!proposal) throw await this.notFound(tenantId, playbookId, version);
    const rejected = transitionStatus(proposal, 'rejected');

    const review = decision('rejected', author, reason);
    const decided = await this.versions.setStatus(
      tenantId,
      playbookId,
      version,
      'proposed',
      'rejected',
      review,
    );
    if (!decided) throw await this.decidedMeanwhile(tenantId, playbookId, version, 'rejected');
    return { ...rejected, review, publishedAt: proposal.publishedAt };
  }

  /**
   * Announces `version` (the active one) on the playbook topic and records when Kafka took it.
   * Unlike the announcement in `activate` and `approve`, a failure here is the caller's error.
   */
  async announce(tenantId: string, version: StoredPlaybookVersion): Promise<StoredPlaybookVersion> {
    const at = new Date();
    await this.publisher.publish(TOPICS.playbookVersions, [
      versionActivatedEvent(tenantId, version, at),
    ]);
    await this.versions.markPublished(tenantId, version.playbookId, version.version, at);
    return { ...version, publishedAt: at.toISOString() };
  }

  /** What follows a version becoming readable as active: supersede the older ones, announce it. */
  private async takeEffect(
    tenantId: string,
    stored: StoredPlaybookVersion,
  ): Promise<StoredPlaybookVersion> {
    // Only now is the new version readable as active (highest active wins), so superseding the
    // old ones can come second: a crash in between leaves reads correct and the next change tidy.
    await this.supersede(tenantId, stored.playbookId, stored.version);
    try {
      return await this.announce(tenantId, stored);
    } catch (err) {
      // The version is stored and is what reads return; the next change announces a newer one,
      // and the gateway's POST .../publish re-announces this one. Failing the request would
      // invite a retry that makes a duplicate change.
      this.logger.warn(
        `playbook ${stored.playbookId} version ${stored.version} is stored but not announced on ${TOPICS.playbookVersions} (${(err as Error).message}); POST ${publishPath(stored)} announces it`,
      );
      return stored;
    }
  }

  private async supersede(tenantId: string, playbookId: string, activeVersion: number) {
    await this.versions
      .markSuperseded(tenantId, playbookId, activeVersion)
      .catch((err: Error) =>
        this.logger.warn(
          `playbook ${playbookId}: older versions not yet marked superseded (${err.message}); the next change does it`,
        ),
      );
  }

  private async notFound(tenantId: string, playbookId: string, version: number) {
    const latest = await this.versions.latestVersionNumber(tenantId, playbookId);
    return new PlaybookError(
      'version_not_found',
      latest
        ? `playbook ${playbookId} has no version ${version} (it has versions 1 to ${latest}); list its proposals (versions with status proposed) and choose one of those`
        : `playbook ${playbookId} has no versions yet, so there is no proposal ${version} to decide`,
    );
  }

  /** The proposal was decided (or removed) by someone else between our read and our update. */
  private async decidedMeanwhile(
    tenantId: string,
    playbookId: string,
    version: number,
    to: 'active' | 'rejected',
  ): Promise<PlaybookError> {
    const now = await this.versions.findVersion(tenantId, playbookId, version);
    if (!now) return this.notFound(tenantId, playbookId, version);
    try {
      transitionStatus(now, to);
    } catch (err) {
      return err as PlaybookError;
    }
    return new PlaybookError(
      'invalid_transition',
      `version ${version} of playbook ${playbookId} changed while it was being decided; read it again and repeat the decision`,
    );
  }
}

function decision(decided: VersionReview['decision'], by?: Author, reason?: string): VersionReview {
  return {
    decision: decided,
    by: by ?? null,
    at: new Date().toISOString(),
    reason: reason ?? null,
  };
}

/** A caller's mistake, not the user's: the version was built for the other kind of write. */
function expectStatus(version: PlaybookVersion, status: 'active' | 'proposed', write: string) {
  if (version.status !== status)
    throw new Error(
      `cannot ${write} version ${version.version} of playbook ${version.playbookId}: its status is ${version.status}; build it with status ${status} (applyDeltas option status)`,
    );
}

/** Where the gateway re-announces a playbook's active version (in log hints). */
function publishPath(v: Pick<PlaybookVersion, 'agentId' | 'role'>): string {
  return `/v1/agents/${v.agentId}/playbook/publish${v.role ? `?role=${v.role}` : ''}`;
}
