import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Agent, type ScheduleError } from '../schemas/agent.schema';

/** What the dreamer's scheduler needs of an agent. */
export type DreamingAgent = Pick<Agent, '_id' | 'tenantId' | 'dreaming'>;

/**
 * The dreamer's access to `agents`: it reads dreaming settings and writes one field,
 * `dreaming.lastScheduleError` (shown by GET /v1/agents/:id). Everything else of an agent is
 * written by the gateway's AgentRepository.
 */
@Injectable()
export class AgentDreamingRepository {
  constructor(@InjectModel(Agent.name) private readonly agents: Model<Agent>) {}

  /**
   * Agents whose dreaming is enabled, of every tenant: the scheduler's tick is the one reader that
   * spans tenants (it considers each agent on its own, under the agent's tenant id).
   */
  enabledAgents(): Promise<DreamingAgent[]> {
    return this.agents
      .find({ 'dreaming.enabled': true }, { _id: 1, tenantId: 1, dreaming: 1 })
      .lean<DreamingAgent[]>()
      .exec();
  }

  /** Records why the scheduler could not consider the agent; false when this tenant has no such agent. */
  async recordScheduleError(
    tenantId: string,
    agentId: string,
    error: ScheduleError,
  ): Promise<boolean> {
    const res = await this.agents
      .updateOne(
        { _id: agentId, tenantId },
        { $set: { 'dreaming.lastScheduleError': { message: error.message, at: error.at } } },
      )
      .exec();
    return res.matchedCount > 0;
  }

  /** Clears the recorded error once the agent is considered without trouble again. */
  async clearScheduleError(tenantId: string, agentId: string): Promise<void> {
    await this.agents
      .updateOne({ _id: agentId, tenantId }, { $unset: { 'dreaming.lastScheduleError': 1 } })
      .exec();
  }
}
