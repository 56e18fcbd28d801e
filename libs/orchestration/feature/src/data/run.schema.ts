import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { RunRequested } from '@reverie/contracts';
import type { HydratedDocument } from 'mongoose';

/** `canceled`: its session ended while it ran (its client ended it), and the run stopped. */
export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'canceled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * One managed session as the orchestrator runs it: what makes run commands idempotent (a command
 * redelivered for a finished run is skipped; one found `running`, whose replica died, is run
 * again) and shows which replica ran what.
 */
@Schema({ collection: 'runs', timestamps: true, minimize: false, versionKey: false })
export class Run {
  /** The session id. */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop() batchId?: string;
  @Prop({ type: String, required: true, enum: RUN_STATUSES }) status!: RunStatus;
  /** The replica that ran it last. */
  @Prop() replica?: string;
  /** Times a replica started it (more than 1: a replica died mid-run, or a rebalance). */
  @Prop({ default: 0 }) attempts!: number;
  @Prop() startedAt?: Date;
  @Prop() finishedAt?: Date;
  /** When a command for it was last skipped, its session not running, and why (`skipReason`). */
  @Prop() skippedAt?: Date;
  @Prop() skipReason?: string;
  /** Why it failed, or why it stopped. */
  @Prop() reason?: string;
  /** The attempt it is on: 2 and up once the grader sent it back for revision. */
  @Prop({ default: 1 }) iteration!: number;
  /** What to run again on a revision: the run spec and the agent's model settings. */
  @Prop({ type: Object }) spec?: Pick<
    RunRequested['payload'],
    'run' | 'agentModel' | 'roleModels' | 'batchId'
  >;
  createdAt!: Date;
  updatedAt!: Date;
}

export type RunDocument = HydratedDocument<Run>;
export const RunSchema = SchemaFactory.createForClass(Run);
// Serves: a batch's runs by status (progress, which replica ran what).
RunSchema.index({ tenantId: 1, batchId: 1, status: 1 });
