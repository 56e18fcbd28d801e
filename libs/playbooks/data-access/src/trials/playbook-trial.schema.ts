import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type {
  SprtOptions,
  TrialArm,
  TrialDecision,
  TrialPublishMode,
  TrialStatus,
} from '@reverie/playbooks-domain';
import type { HydratedDocument } from 'mongoose';

/** One playbook a trial compares: the candidate version against the control (0: none yet). */
export interface TrialPlaybook {
  role: string | null;
  playbookId: string;
  candidate: number;
  control: number;
}

export interface TrialArmCounts {
  /** New sessions served with this arm. */
  sessions: number;
  /** Of them, graded by the grader with a final verdict; and how many were satisfied. */
  graded: number;
  succeeded: number;
}

/** The decision that ended a trial (the SPRT's numbers, or why it was stopped). */
export interface TrialDecisionDoc extends Omit<TrialDecision, 'decision'> {
  decision: TrialDecision['decision'] | 'stop';
  at: Date;
}

/**
 * A canary trial of a dream's candidate playbook version(s). One document per trial; every
 * change is a single-document update guarded by the trial's status (and, for a session, by its id
 * not being recorded yet), so redelivered messages and concurrent replicas count a session once
 * and end a trial once, without transactions.
 */
@Schema({ collection: 'playbook_trials', minimize: false, versionKey: false })
export class PlaybookTrialDoc {
  /** `trl_…` */
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) agentId!: string;
  /** The dream whose candidate this is. */
  @Prop({ required: true }) dreamId!: string;
  @Prop({ type: String, required: true }) status!: TrialStatus;
  /** How the candidate takes effect when the test favours it (the agent's publish mode then). */
  @Prop({ type: String, required: true }) publish!: TrialPublishMode;
  /** Share of new sessions served the candidate. */
  @Prop({ required: true }) share!: number;
  @Prop({ type: Object, required: true }) sprt!: SprtOptions;
  /** The most sessions assigned an arm; later sessions get the control, unrecorded. */
  @Prop({ required: true }) maxSessions!: number;
  @Prop({ type: [Object], required: true }) playbooks!: TrialPlaybook[];
  @Prop({ type: Object, required: true }) arms!: Record<TrialArm, TrialArmCounts>;
  /** Sessions served in the trial, with their arm (how a verdict finds its arm). */
  @Prop({ type: [Object], default: [] }) assigned!: { sessionId: string; arm: TrialArm }[];
  /** Final verdicts in arrival order: the SPRT's pairs are read from it. */
  @Prop({ type: [Object], default: [] }) graded!: {
    sessionId: string;
    arm: TrialArm;
    succeeded: boolean;
    at: Date;
  }[];
  @Prop({ type: Object, default: null }) decision!: TrialDecisionDoc | null;
  @Prop({ required: true }) startedAt!: Date;
  @Prop({ type: Date, default: null }) endedAt!: Date | null;
  /**
   * Announcements still to be published: `started` from the insert, `ended` added by the update
   * that ends the trial, each removed once Kafka took it. While one is here, the dreamers' sweep
   * publishes it again. Absent on trials stored before the field existed.
   */
  @Prop({ type: [String], default: undefined }) announcePending?: TrialAnnouncement[];
}

/** A trial's announcements on the dreams topic. */
export type TrialAnnouncement = 'started' | 'ended';

export type PlaybookTrialDocument = HydratedDocument<PlaybookTrialDoc>;
export const PlaybookTrialSchema = SchemaFactory.createForClass(PlaybookTrialDoc);
// Serves: the agent's running trial (serving a new session, recording a verdict, starting a
// newer trial, the kill switch for one agent).
PlaybookTrialSchema.index({ tenantId: 1, agentId: 1, status: 1 });
// Serves: GET /v1/agents/:agentId/trials (newest first).
PlaybookTrialSchema.index({ tenantId: 1, agentId: 1, startedAt: -1 });
// Serves: the kill switch for a whole tenant (its running trials).
PlaybookTrialSchema.index({ tenantId: 1, status: 1 });
// Serves: a dream's report (the trials the dream started).
PlaybookTrialSchema.index({ tenantId: 1, dreamId: 1 });
// Serves: the sweep for announcements still to be published (`{ announcePending, startedAt /
// endedAt: { $lt } }`). Sparse: only trials with one pending carry the field.
PlaybookTrialSchema.index({ announcePending: 1, startedAt: 1 }, { sparse: true });
