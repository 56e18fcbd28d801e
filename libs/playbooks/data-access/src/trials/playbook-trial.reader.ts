import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { TrialStatus } from '@reverie/playbooks-domain';
import type { Model } from 'mongoose';
import { PlaybookTrialDoc } from './playbook-trial.schema';

/** A trial as the API shows it: without the per-session assignments and verdicts. */
export type TrialSummary = Omit<PlaybookTrialDoc, 'assigned' | 'graded'>;

const SUMMARY = { assigned: 0, graded: 0 } as const;

/** Read-only access to `playbook_trials`, scoped by tenant (the REST API). */
@Injectable()
export class PlaybookTrialReader {
  constructor(
    @InjectModel(PlaybookTrialDoc.name) private readonly trials: Model<PlaybookTrialDoc>,
  ) {}

  /** An agent's trials, newest first; `before`: the `startedAt` of the previous page's last one. */
  async list(
    tenantId: string,
    agentId: string,
    options: { limit: number; status?: TrialStatus; before?: Date },
  ): Promise<TrialSummary[]> {
    return this.trials
      .find(
        {
          tenantId,
          agentId,
          ...(options.status ? { status: options.status } : {}),
          ...(options.before ? { startedAt: { $lt: options.before } } : {}),
        },
        SUMMARY,
      )
      .sort({ startedAt: -1 })
      .limit(options.limit)
      .lean<TrialSummary[]>()
      .exec();
  }

  async findById(tenantId: string, agentId: string, trialId: string): Promise<TrialSummary | null> {
    return this.trials
      .findOne({ _id: trialId, tenantId, agentId }, SUMMARY)
      .lean<TrialSummary>()
      .exec();
  }
}
