import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { PlaybookVersion, VersionStatus } from '@reverie/playbooks-domain';
import type { Model, QueryFilter } from 'mongoose';
import { versionDocId } from '../playbook-id';
import { PlaybookVersionDoc } from '../schemas/playbook-version.schema';
import { isDuplicateKey, PlaybookConflictError } from './playbook-conflict.error';
import {
  fromDocument,
  toDocument,
  toReviewDocument,
  type PlaybookVersionSummary,
  type StoredPlaybookVersion,
  type VersionReview,
} from './playbook-version.mapper';

export interface ListVersionsQuery {
  limit: number;
  /** Cursor: versions below this one (the last version of the previous page). */
  beforeVersion?: number;
  /** Only versions with this status, e.g. `proposed` for the proposals awaiting a decision. */
  status?: VersionStatus;
}

/**
 * Playbook versions, scoped by tenant. No transactions: a new version is one insert whose unique
 * version number makes concurrent edits collide, and "the active version" is the highest version
 * whose status is active, so a crash between inserting a new active version and superseding the
 * old one still reads correctly (and the next change tidies up).
 */
@Injectable()
export class PlaybookVersionRepository {
  constructor(
    @InjectModel(PlaybookVersionDoc.name) private readonly versions: Model<PlaybookVersionDoc>,
  ) {}

  /** Stores a new version; throws `PlaybookConflictError` when its number is already taken. */
  async insert(tenantId: string, version: PlaybookVersion): Promise<StoredPlaybookVersion> {
    try {
      await this.versions.create(toDocument(tenantId, version));
    } catch (err) {
      if (isDuplicateKey(err)) throw new PlaybookConflictError(version.playbookId, version.version);
      throw err;
    }
    return { ...structuredClone(version), publishedAt: null };
  }

  /** The version agents run with: the highest version with status active, or null. */
  async findActive(tenantId: string, playbookId: string): Promise<StoredPlaybookVersion | null> {
    const doc = await this.versions
      .findOne({ tenantId, playbookId, status: 'active' })
      .sort({ version: -1 })
      .lean<PlaybookVersionDoc>()
      .exec();
    return doc ? fromDocument(doc) : null;
  }

  async findVersion(
    tenantId: string,
    playbookId: string,
    version: number,
  ): Promise<StoredPlaybookVersion | null> {
    const doc = await this.versions
      .findOne({ _id: versionDocId(playbookId, version), tenantId })
      .lean<PlaybookVersionDoc>()
      .exec();
    return doc ? fromDocument(doc) : null;
  }

  /** The highest version number of any status (0 for none): the next version takes this + 1. */
  async latestVersionNumber(tenantId: string, playbookId: string): Promise<number> {
    const doc = await this.versions
      .findOne({ tenantId, playbookId }, { version: 1 })
      .sort({ version: -1 })
      .lean<Pick<PlaybookVersionDoc, 'version'>>()
      .exec();
    return doc?.version ?? 0;
  }

  /** Newest first, without entries; `limit + 1` fetched so the caller knows whether there is more. */
  async list(
    tenantId: string,
    playbookId: string,
    query: ListVersionsQuery,
  ): Promise<PlaybookVersionSummary[]> {
    const filter: QueryFilter<PlaybookVersionDoc> = { tenantId, playbookId };
    if (query.beforeVersion !== undefined) filter.version = { $lt: query.beforeVersion };
    if (query.status !== undefined) filter.status = query.status;
    const docs = await this.versions
      .find(filter, { entries: 0, learnedFrom: 0 })
      .sort({ version: -1 })
      .limit(query.limit + 1)
      .lean<Omit<PlaybookVersionDoc, 'entries'>[]>()
      .exec();
    return docs.map((d) => fromDocument(d));
  }

  /**
   * Marks every active version below `activeVersion` superseded. Idempotent, and it also tidies up
   * after a crash that left an older version active. Returns how many changed.
   */
  async markSuperseded(
    tenantId: string,
    playbookId: string,
    activeVersion: number,
  ): Promise<number> {
    const result = await this.versions
      .updateMany(
        { tenantId, playbookId, status: 'active', version: { $lt: activeVersion } },
        { $set: { status: 'superseded' } },
      )
      .exec();
    return result.modifiedCount;
  }

  /**
   * Moves one version from status `from` to `to` (recording `review` with it) only if it still is
   * `from`: a single-document conditional update, so of two concurrent decisions on the same
   * proposal exactly one takes effect. Returns whether this one did; false also when the version
   * does not exist (for this tenant).
   */
  async setStatus(
    tenantId: string,
    playbookId: string,
    version: number,
    from: VersionStatus,
    to: VersionStatus,
    review?: VersionReview,
  ): Promise<boolean> {
    const result = await this.versions
      .updateOne(
        { _id: versionDocId(playbookId, version), tenantId, status: from },
        { $set: { status: to, ...(review && { review: toReviewDocument(review) }) } },
      )
      .exec();
    return result.matchedCount === 1;
  }

  /** Records that Kafka acknowledged the version's activation event. */
  async markPublished(
    tenantId: string,
    playbookId: string,
    version: number,
    at: Date,
  ): Promise<void> {
    await this.versions
      .updateOne(
        { _id: versionDocId(playbookId, version), tenantId },
        { $set: { publishedAt: at } },
      )
      .exec();
  }
}
