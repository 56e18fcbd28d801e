import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DreamingAgentView, DreamingControl } from '../schemas/dreaming-control.schema';

export type DreamingControlRecord = DreamingControl;
export type DreamingAgent = DreamingAgentView;

/** Why the scheduler skipped an agent, and when. */
export interface ScheduleError {
  message: string;
  at: Date;
}

/** Whether dreaming is paused for an agent, and by which switch. */
export interface PauseState {
  paused: boolean;
  scope: 'tenant' | 'agent' | null;
  reason: string | null;
}

const controlId = (tenantId: string, agentId: string | null) =>
  agentId ? `${tenantId}/${agentId}` : tenantId;

/** The kill switches (one document per switch, read by `_id`) and the agents that dream on a schedule. */
@Injectable()
export class DreamingControlRepository {
  constructor(
    @InjectModel(DreamingControl.name) private readonly controls: Model<DreamingControl>,
    @InjectModel(DreamingAgentView.name) private readonly agents: Model<DreamingAgentView>,
  ) {}

  async set(
    tenantId: string,
    agentId: string | null,
    paused: boolean,
    reason: string | null,
    updatedBy: string | null,
    now = new Date(),
  ): Promise<DreamingControlRecord> {
    const doc: DreamingControl = {
      _id: controlId(tenantId, agentId),
      tenantId,
      agentId,
      paused,
      reason,
      updatedBy,
      updatedAt: now,
    };
    await this.controls.replaceOne({ _id: doc._id }, doc, { upsert: true }).exec();
    return doc;
  }

  get(tenantId: string, agentId: string | null): Promise<DreamingControlRecord | null> {
    return this.controls.findById(controlId(tenantId, agentId)).lean<DreamingControl>().exec();
  }

  /** The tenant's switch wins over the agent's. */
  async state(tenantId: string, agentId: string): Promise<PauseState> {
    const [tenant, agent] = await Promise.all([
      this.get(tenantId, null),
      this.get(tenantId, agentId),
    ]);
    if (tenant?.paused) return { paused: true, scope: 'tenant', reason: tenant.reason };
    if (agent?.paused) return { paused: true, scope: 'agent', reason: agent.reason };
    return { paused: false, scope: null, reason: null };
  }

  /**
   * Records why the scheduler could not consider an agent (`dreaming.lastScheduleError`, shown by
   * GET /v1/agents/:id), or clears it with null. The one field of `agents` the dreamer writes; a
   * settings change through the API replaces `dreaming` and so clears it too.
   */
  async recordScheduleError(
    tenantId: string,
    agentId: string,
    error: ScheduleError | null,
  ): Promise<void> {
    await this.agents
      .updateOne(
        { _id: agentId, tenantId },
        error
          ? { $set: { 'dreaming.lastScheduleError': error } }
          : { $unset: { 'dreaming.lastScheduleError': 1 } },
      )
      .exec();
  }

  /** Agents (of every tenant) whose dreaming is enabled. */
  enabledAgents(): Promise<DreamingAgent[]> {
    return this.agents
      .find({ 'dreaming.enabled': true }, { _id: 1, tenantId: 1, dreaming: 1 })
      .lean<DreamingAgent[]>()
      .exec();
  }
}
