import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { OutcomeDefinition } from '@reverie/outcomes-domain';
import type { Model } from 'mongoose';
import { definitionDocId, sameDefinition, storedForm } from '../outcome-definition-id';
import { OutcomeDefinitionVersion } from '../schemas/outcome-definition.schema';
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
 */
@Injectable()
export class OutcomeDefinitionRepository {
  constructor(
    @InjectModel(OutcomeDefinitionVersion.name)
    private readonly versions: Model<OutcomeDefinitionVersion>,
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
        return { record, created: true };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw new OutcomeDefinitionConflictError(agentId, DEFINITION_CREATE_ATTEMPTS);
  }

  /** The agent's highest version, or null when it has none. */
  latest(tenantId: string, agentId: string): Promise<OutcomeDefinitionRecord | null> {
    return this.versions
      .findOne({ tenantId, agentId })
      .sort({ version: -1 })
      .lean<OutcomeDefinitionRecord>()
      .exec();
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
