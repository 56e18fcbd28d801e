import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { DEFAULT_TRIAL_MAX_PAIRS, type TrialStatus } from '@reverie/playbooks-domain';
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

  /** The trials a dream started (its follow-up), oldest first. */
  async ofDream(tenantId: string, dreamId: string): Promise<TrialSummary[]> {
    return this.trials
      .find({ tenantId, dreamId }, SUMMARY)
      .sort({ startedAt: 1 })
      .limit(20)
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

const rate = (succeeded: number, graded: number) =>
  graded ? Math.round((succeeded / graded) * 1000) / 1000 : null;

/** A trial as the REST API shows it (trials and dream reports): snake_case, arms with their success rates, the decision. */
export function presentTrial(t: TrialSummary) {
  const arm = (a: TrialSummary['arms']['candidate']) => ({
    sessions: a.sessions,
    graded: a.graded,
    succeeded: a.succeeded,
    success_rate: rate(a.succeeded, a.graded),
  });
  return {
    id: t._id,
    type: 'playbook_trial' as const,
    agent_id: t.agentId,
    dream_id: t.dreamId,
    status: t.status,
    publish: t.publish,
    share: t.share,
    rule: {
      name: 'sprt_paired',
      alpha: t.sprt.alpha,
      beta: t.sprt.beta,
      theta1: t.sprt.theta1,
      max_discordant: t.sprt.maxDiscordant,
      max_pairs: t.sprt.maxPairs ?? DEFAULT_TRIAL_MAX_PAIRS,
    },
    playbooks: t.playbooks.map((p) => ({
      role: p.role,
      playbook_id: p.playbookId,
      candidate_version: p.candidate,
      control_version: p.control,
    })),
    arms: { candidate: arm(t.arms.candidate), control: arm(t.arms.control) },
    decision: t.decision
      ? {
          decision: t.decision.decision,
          reason: t.decision.reason,
          pairs: t.decision.pairs,
          discordant: t.decision.discordant,
          candidate_wins: t.decision.candidateWins,
          llr: t.decision.llr,
          decided_at: new Date(t.decision.at).toISOString(),
        }
      : null,
    started_at: new Date(t.startedAt).toISOString(),
    ended_at: t.endedAt ? new Date(t.endedAt).toISOString() : null,
  };
}
