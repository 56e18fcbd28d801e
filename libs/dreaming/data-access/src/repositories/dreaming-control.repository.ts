import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DreamingControl } from '../schemas/dreaming-control.schema';

export type DreamingControlRecord = DreamingControl;

/** Whether dreaming is paused for an agent, and by which switch. */
export interface PauseState {
  paused: boolean;
  scope: 'tenant' | 'agent' | null;
  reason: string | null;
}

const controlId = (tenantId: string, agentId: string | null) =>
  agentId ? `${tenantId}/${agentId}` : tenantId;

/**
 * The kill switches (one document per switch, read by `_id`). Agents' dreaming settings are the
 * sessions domain's: the scheduler reads them through AgentDreamingRepository.
 */
@Injectable()
export class DreamingControlRepository {
  constructor(
    @InjectModel(DreamingControl.name) private readonly controls: Model<DreamingControl>,
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
}
