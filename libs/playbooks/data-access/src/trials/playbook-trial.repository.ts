import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { TrialArm, TrialEndStatus } from '@reverie/playbooks-domain';
import type { Model } from 'mongoose';
import {
  PlaybookTrialDoc,
  type TrialAnnouncement,
  type TrialDecisionDoc,
} from './playbook-trial.schema';

export type StoredTrial = PlaybookTrialDoc;

/**
 * Writes to `playbook_trials`, scoped by tenant. Used by `PlaybookTrialWriter` only; reads for
 * the API go through `PlaybookTrialReader`. Every write is one guarded single-document update.
 */
@Injectable()
export class PlaybookTrialRepository {
  constructor(
    @InjectModel(PlaybookTrialDoc.name) private readonly trials: Model<PlaybookTrialDoc>,
  ) {}

  async insert(trial: PlaybookTrialDoc): Promise<void> {
    await this.trials.create(trial);
  }

  /** The agent's running trial, whole (with its assignments and verdicts). */
  async findRunning(tenantId: string, agentId: string): Promise<StoredTrial | null> {
    return this.trials
      .findOne({ tenantId, agentId, status: 'running' })
      .sort({ startedAt: -1 })
      .lean<StoredTrial>()
      .exec();
  }

  /** The agent's running trial without its per-session lists (serving a new session). */
  async findRunningSummary(
    tenantId: string,
    agentId: string,
  ): Promise<Omit<StoredTrial, 'assigned' | 'graded'> | null> {
    return this.trials
      .findOne({ tenantId, agentId, status: 'running' }, { assigned: 0, graded: 0 })
      .sort({ startedAt: -1 })
      .lean<Omit<StoredTrial, 'assigned' | 'graded'>>()
      .exec();
  }

  async findById(tenantId: string, trialId: string): Promise<StoredTrial | null> {
    return this.trials.findOne({ _id: trialId, tenantId }).lean<StoredTrial>().exec();
  }

  /** Running trials of one agent, or of the whole tenant. */
  async runningIds(tenantId: string, agentId: string | null): Promise<string[]> {
    const rows = await this.trials
      .find({ tenantId, ...(agentId ? { agentId } : {}), status: 'running' }, { _id: 1 })
      .lean<{ _id: string }[]>()
      .exec();
    return rows.map((r) => r._id);
  }

  /** Records that a new session runs in `arm`; false if the trial is no longer running. */
  async assign(tenantId: string, trialId: string, sessionId: string, arm: TrialArm) {
    const r = await this.trials
      .updateOne(
        { _id: trialId, tenantId, status: 'running', 'assigned.sessionId': { $ne: sessionId } },
        {
          $push: { assigned: { sessionId, arm } },
          $inc: { [`arms.${arm}.sessions`]: 1 },
        },
      )
      .exec();
    return r.modifiedCount === 1;
  }

  /**
   * Records a session's final verdict once: a redelivered verdict (or a regrade) finds the
   * session already graded and changes nothing. False when nothing changed.
   */
  async recordGraded(
    tenantId: string,
    trialId: string,
    graded: { sessionId: string; arm: TrialArm; succeeded: boolean; at: Date },
  ): Promise<boolean> {
    const r = await this.trials
      .updateOne(
        {
          _id: trialId,
          tenantId,
          status: 'running',
          'graded.sessionId': { $ne: graded.sessionId },
        },
        {
          $push: { graded },
          $inc: {
            [`arms.${graded.arm}.graded`]: 1,
            [`arms.${graded.arm}.succeeded`]: graded.succeeded ? 1 : 0,
          },
        },
      )
      .exec();
    return r.modifiedCount === 1;
  }

  /** Ends a running trial; of two replicas deciding at once exactly one gets true. */
  async end(
    tenantId: string,
    trialId: string,
    status: TrialEndStatus,
    decision: TrialDecisionDoc,
  ): Promise<boolean> {
    const r = await this.trials
      .updateOne(
        { _id: trialId, tenantId, status: 'running' },
        {
          $set: { status, decision, endedAt: decision.at },
          $addToSet: { announcePending: 'ended' },
        },
      )
      .exec();
    return r.modifiedCount === 1;
  }

  /**
   * Trials with an announcement still to be published that is due: a start before `before`, an
   * end before `before` (newer ones are left to the replica announcing them now).
   */
  unannounced(before: Date, limit = 20): Promise<StoredTrial[]> {
    return this.trials
      .find(
        {
          $or: [
            { announcePending: 'started', startedAt: { $lt: before } },
            { announcePending: 'ended', endedAt: { $lt: before } },
          ],
        },
        { assigned: 0, graded: 0 },
      )
      .sort({ startedAt: 1 })
      .limit(limit)
      .lean<StoredTrial[]>()
      .exec();
  }

  /** Records that one of the trial's announcements was published. */
  async markAnnounced(trialId: string, which: TrialAnnouncement): Promise<void> {
    await this.trials.updateOne({ _id: trialId }, { $pull: { announcePending: which } }).exec();
  }
}
