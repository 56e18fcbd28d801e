import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { OutcomeDefinition } from '@reverie/outcomes-domain';
import type { Model } from 'mongoose';
import {
  definitionDocId,
  definitionHeadId,
  sameDefinition,
  storedForm,
} from '../outcome-definition-id';
import {
  OutcomeDefinitionHead,
  OutcomeDefinitionVersion,
} from '../schemas/outcome-definition.schema';
import { isDuplicateKey, OutcomeDefinitionConflictError } from './outcome-errors';

/** One stored version of an agent's outcome definition (a plain object). */
export type OutcomeDefinitionRecord = OutcomeDefinitionVersion;

/** What `create` did: stored a new version, or found the same definition already latest. */
export interface CreatedDefinition {
  record: OutcomeDefinitionRecord;
  /** False when the definition equals the latest version, which is returned unchanged. */
  created: boolean;
}

/** How many times `create` takes the next number again after another write took it. */
export const DEFINITION_CREATE_ATTEMPTS = 5;

/**
 * Versions of agents' outcome definitions, scoped by tenant. No transactions: a new version is
 * one insert under a deterministic `_id`, so two concurrent changes collide on it and the loser
 * reads the latest again and takes the next number.
 *
 * The latest version (read once per grade) is found by `_id` only, whatever the store holds: the
 * agent's head names a version `h` that only rises, and no version above `h + 1` exists, so the
 * latest is the higher of `h` and `h + 1`, one `$in` on `_id`. `create` keeps that true without a
 * transaction: it raises the head to the version it builds on before inserting the next, and to
 * the new one after; a crash between the insert and the second raise leaves the head one behind,
 * which the reads and the next change see through.
 */
@Injectable()
export class OutcomeDefinitionRepository {
  constructor(
    @InjectModel(OutcomeDefinitionVersion.name)
    private readonly versions: Model<OutcomeDefinitionVersion>,
    @InjectModel(OutcomeDefinitionHead.name)
    private readonly heads: Model<OutcomeDefinitionHead>,
  ) {}

  /**
   * Stores `definition` as the agent's next version (latest + 1), unless it equals the latest,
   * which is then returned with `created: false`. Throws `OutcomeDefinitionConflictError` when
   * other writes kept taking the number `DEFINITION_CREATE_ATTEMPTS` times in a row.
   */
  async create(
    tenantId: string,
    agentId: string,
    definition: OutcomeDefinition,
    author: string,
    at: Date,
  ): Promise<CreatedDefinition> {
    const stored = storedForm(definition);
    for (let attempt = 1; attempt <= DEFINITION_CREATE_ATTEMPTS; attempt++) {
      const latest = await this.latest(tenantId, agentId);
      if (latest && sameDefinition(latest.definition, stored)) {
        return { record: latest, created: false };
      }
      // No version above head + 1 may exist: the head reaches the one this builds on first.
      if (latest) await this.raiseHead(tenantId, agentId, latest.version);
      const version = (latest?.version ?? 0) + 1;
      const record: OutcomeDefinitionRecord = {
        _id: definitionDocId(tenantId, agentId, version),
        tenantId,
        agentId,
        version,
        definition: stored,
        author,
        createdAt: at,
      };
      try {
        await this.versions.create(record);
        await this.raiseHead(tenantId, agentId, version);
        return { record, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw new OutcomeDefinitionConflictError(agentId, DEFINITION_CREATE_ATTEMPTS);
  }

  /**
   * The agent's highest version, or null when it has none: its head by `_id`, then the head's
   * version and the next by `_id` (see the class). Agents whose versions were all stored before
   * heads existed have no head until their next change: for them (only) the highest version is
   * found by a sort, which the embedded MongoDB-wire server answers by scanning every version.
   */
  async latest(tenantId: string, agentId: string): Promise<OutcomeDefinitionRecord | null> {
    const stored = await this.heads
      .findOne({ _id: definitionHeadId(tenantId, agentId) })
      .lean<OutcomeDefinitionHead>()
      .exec();
    // Ids join tenant and agent with '/': a head of another pair under the same id is not ours.
    const head = stored?.tenantId === tenantId && stored.agentId === agentId ? stored : null;
    const from = head?.version ?? 0;
    const ids = (from > 0 ? [from, from + 1] : [1]).map((v) =>
      definitionDocId(tenantId, agentId, v),
    );
    const found = await this.versions
      .find({ _id: { $in: ids } })
      .lean<OutcomeDefinitionRecord[]>()
      .exec();
    const own = found.filter((v) => v.tenantId === tenantId && v.agentId === agentId);
    if (own.length === 0) return null;
    if (!head) return this.latestBySort(tenantId, agentId);
    return own.reduce((a, b) => (b.version > a.version ? b : a));
  }

  /** The highest version by a sort on `{ tenantId, agentId, version }` (agents without a head). */
  private latestBySort(tenantId: string, agentId: string): Promise<OutcomeDefinitionRecord | null> {
    return this.versions
      .findOne({ tenantId, agentId })
      .sort({ version: -1 })
      .lean<OutcomeDefinitionRecord>()
      .exec();
  }

  /**
   * Raises the agent's head to `version` (never lowers it, so late or repeated raises are
   * harmless). Two first raises may race to insert the head: the loser raises the one inserted.
   */
  private async raiseHead(tenantId: string, agentId: string, version: number): Promise<void> {
    const filter = { _id: definitionHeadId(tenantId, agentId) };
    try {
      await this.heads
        .updateOne(
          filter,
          { $max: { version }, $setOnInsert: { tenantId, agentId } },
          { upsert: true },
        )
        .exec();
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await this.heads.updateOne(filter, { $max: { version } }).exec();
    }
  }

  /** One version by number, or null. */
  version(
    tenantId: string,
    agentId: string,
    version: number,
  ): Promise<OutcomeDefinitionRecord | null> {
    return this.versions
      .findOne({ _id: definitionDocId(tenantId, agentId, version), tenantId, agentId })
      .lean<OutcomeDefinitionRecord>()
      .exec();
  }

  /** Every version of the agent's definition, newest first. */
  list(tenantId: string, agentId: string): Promise<OutcomeDefinitionRecord[]> {
    return this.versions
      .find({ tenantId, agentId })
      .sort({ version: -1 })
      .lean<OutcomeDefinitionRecord[]>()
      .exec();
  }
}
