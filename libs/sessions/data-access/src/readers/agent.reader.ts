import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Agent } from '../schemas/agent.schema';

/** An agent's id and dreaming settings: what a dream asked for through the API starts from. */
export type AgentDreamingView = Pick<Agent, '_id' | 'dreaming'>;

/**
 * Read-only access to `agents` for the other domains' HTTP routes the gateway serves (outcome
 * definitions, dreams, the dreaming pause): whether this tenant has the agent, and its dreaming
 * settings. Lean, projected, scoped by tenant; the gateway's AgentRepository is the writer.
 */
@Injectable()
export class AgentReader {
  constructor(@InjectModel(Agent.name) private readonly agents: Model<Agent>) {}

  /** False for an unknown agent and for another tenant's. */
  async exists(tenantId: string, agentId: string): Promise<boolean> {
    const found = await this.agents.exists({ _id: agentId, tenantId }).exec();
    return found !== null;
  }

  /** The agent's dreaming settings, or null when this tenant has no such agent. */
  dreaming(tenantId: string, agentId: string): Promise<AgentDreamingView | null> {
    return this.agents
      .findOne({ _id: agentId, tenantId }, { _id: 1, dreaming: 1 })
      .lean<AgentDreamingView>()
      .exec();
  }
}
