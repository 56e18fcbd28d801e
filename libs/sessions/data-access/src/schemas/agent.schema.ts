import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { AgentSettings } from '@reverie/sessions-domain';
import type { HydratedDocument } from 'mongoose';

/** Why the dreamer's scheduler last skipped the agent, and when. */
export interface ScheduleError {
  message: string;
  at: Date;
}

/**
 * The agent's dreaming settings as stored: what the API accepted, plus the one field the dreamer
 * writes (through AgentDreamingRepository). A settings change replaces `dreaming` and so clears it.
 */
export type StoredDreamingSettings = AgentSettings['dreaming'] & {
  lastScheduleError?: ScheduleError;
};

@Schema({ collection: 'agents', timestamps: true, minimize: false, versionKey: false })
export class Agent {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) name!: string;
  @Prop() description?: string;
  @Prop({ type: [Object], default: [] }) roles!: AgentSettings['roles'];
  @Prop({ type: Object, required: true }) model!: AgentSettings['model'];
  @Prop({ type: Object, required: true }) dreaming!: StoredDreamingSettings;
  createdAt!: Date;
  updatedAt!: Date;
}

export type AgentDocument = HydratedDocument<Agent>;
export const AgentSchema = SchemaFactory.createForClass(Agent);
// Serves: create (a tenant's agent names are unique), lookup by name and GET /v1/agents (by name).
AgentSchema.index({ tenantId: 1, name: 1 }, { unique: true });
// Serves: AgentDreamingRepository.enabledAgents, the dream scheduler's tick (every tenant's agents
// with dreaming enabled).
AgentSchema.index({ 'dreaming.enabled': 1 });
