import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { DreamModelSettings } from './dream.schema';

/**
 * The kill switch: dreaming paused for a whole tenant (`_id` `<tenant>`) or one agent
 * (`<tenant>/<agent>`). Written by the gateway (PUT /v1/dreaming/pause), read by the dreamer.
 */
@Schema({ collection: 'dreaming_controls', versionKey: false })
export class DreamingControl {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ type: String, default: null }) agentId!: string | null;
  @Prop({ required: true }) paused!: boolean;
  @Prop({ type: String, default: null }) reason!: string | null;
  /** The API key id that set it. */
  @Prop({ type: String, default: null }) updatedBy!: string | null;
  @Prop({ type: Date, required: true }) updatedAt!: Date;
}
export const DreamingControlSchema = SchemaFactory.createForClass(DreamingControl);

/**
 * What the scheduler needs of an agent (`agents`, written by the gateway): no indexes, never
 * creates the collection; the scheduler writes only `dreaming.lastScheduleError`.
 */
@Schema({ collection: 'agents', autoIndex: false, autoCreate: false, versionKey: false })
export class DreamingAgentView {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ type: Object, required: true }) dreaming!: {
    enabled: boolean;
    frequency: 'hourly' | 'daily' | 'weekly' | 'cron';
    cron?: string;
    timezone: string;
    window?: { start: string; end: string };
    budget?: { tokensPerDream?: number; tokensPerDay?: number };
    publish: 'apply' | 'propose';
    model?: DreamModelSettings;
    instructions?: string;
    /** Why the last tick could not consider the agent (written by the scheduler). */
    lastScheduleError?: { message: string; at: Date };
  };
}
export const DreamingAgentViewSchema = SchemaFactory.createForClass(DreamingAgentView);
