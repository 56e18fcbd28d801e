import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { conflict } from '@reverie/http';
import { newId, type AgentSettings } from '@reverie/sessions-domain';
import type { Model } from 'mongoose';
import { Agent } from '../schemas/agent.schema';
import { isDuplicateKey } from './mongo-errors';

export type AgentRecord = Agent;

@Injectable()
export class AgentRepository {
  constructor(@InjectModel(Agent.name) private readonly agents: Model<Agent>) {}

  async create(tenantId: string, settings: AgentSettings): Promise<AgentRecord> {
    try {
      const doc = await this.agents.create({ _id: newId('agt'), tenantId, ...settings });
      return doc.toObject();
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`an agent named "${settings.name}" already exists`);
      throw err;
    }
  }

  /** The tenant's agents by name, `limit + 1` of them from after `afterName` (to tell has_more). */
  listByName(tenantId: string, limit: number, afterName?: string): Promise<AgentRecord[]> {
    const filter = afterName === undefined ? { tenantId } : { tenantId, name: { $gt: afterName } };
    return this.agents
      .find(filter)
      .sort({ name: 1 })
      .limit(limit + 1)
      .lean<AgentRecord[]>()
      .exec();
  }

  findById(tenantId: string, id: string): Promise<AgentRecord | null> {
    return this.agents.findOne({ _id: id, tenantId }).lean<AgentRecord>().exec();
  }

  async replaceSettings(
    tenantId: string,
    id: string,
    settings: AgentSettings,
  ): Promise<AgentRecord | null> {
    try {
      return await this.agents
        .findOneAndUpdate(
          { _id: id, tenantId },
          { $set: { ...settings, description: settings.description ?? null } },
          { returnDocument: 'after' },
        )
        .lean<AgentRecord>()
        .exec();
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`an agent named "${settings.name}" already exists`);
      throw err;
    }
  }
}
