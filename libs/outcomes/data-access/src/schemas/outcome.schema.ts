import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type {
  CriterionGrade,
  OutcomeEvaluated,
  OutcomeResult,
  OutcomeSignal,
} from '@reverie/contracts';
import type { HydratedDocument } from 'mongoose';

/** Tokens the grader's judge spent (the `outcome.evaluated` payload's shape). */
export type JudgeUsage = OutcomeEvaluated['payload']['judgeUsage'];

/**
 * The grader's verdict on one iteration of one session: what `outcome.evaluated` announced, as
 * stored. Written only by the grader (the gateway reads it); a redelivery writes the same document.
 */
@Schema({ collection: 'outcomes', minimize: false, versionKey: false })
export class Outcome {
  /** The outcome id the grader derived (not time-ordered). */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  @Prop({ required: true }) sessionId!: string;
  /** The attempt graded: 1, then 2 and up after revisions. */
  @Prop({ required: true }) iteration!: number;
  /** The version of the agent's outcome definition it was graded under. */
  @Prop({ required: true }) definitionVersion!: number;
  @Prop({ required: true }) maxIterations!: number;
  @Prop({ type: String, required: true }) result!: OutcomeResult;
  /** Weighted score, 0..1. */
  @Prop({ required: true }) score!: number;
  @Prop({ type: [Object], default: [] }) criteria!: CriterionGrade[];
  /** Ids of the criteria that did not pass. */
  @Prop({ type: [String], default: [] }) failedCriteria!: string[];
  @Prop({ type: String, default: '' }) summary!: string;
  @Prop({ type: Object, required: true }) judgeUsage!: JudgeUsage;
  @Prop({ type: [Object], default: [] }) signals!: OutcomeSignal[];
  /** True when a person asked for this grade again. */
  @Prop({ type: Boolean, default: false }) regrade!: boolean;
  @Prop({ required: true }) gradedAt!: Date;
}

export type OutcomeDocument = HydratedDocument<Outcome>;
export const OutcomeSchema = SchemaFactory.createForClass(Outcome);
// Serves: an outcome by id in its tenant, `{ _id, tenantId }` (OutcomeRepository.findById, and
// record's upsert: twice per grade). Real MongoDB would use `_id` alone; the embedded
// MongoDB-wire server uses an index only when the filter's fields are exactly a unique index's,
// and otherwise scans every outcome, so grading slowed as outcomes accumulated. Unique because
// `_id` is.
OutcomeSchema.index({ _id: 1, tenantId: 1 }, { unique: true });
// Serves: a session's latest outcome (highest iteration, then latest gradedAt) and its history
// (all of them, oldest first).
OutcomeSchema.index({ tenantId: 1, sessionId: 1, iteration: 1, gradedAt: 1 });
// Serves: GET /v1/outcomes (newest first, paged by (gradedAt, _id)).
OutcomeSchema.index({ tenantId: 1, gradedAt: -1, _id: -1 });
// Serves: GET /v1/outcomes?agentId= (same order).
OutcomeSchema.index({ tenantId: 1, agentId: 1, gradedAt: -1, _id: -1 });
// Serves: GET /v1/outcomes?result= (same order).
OutcomeSchema.index({ tenantId: 1, result: 1, gradedAt: -1, _id: -1 });
