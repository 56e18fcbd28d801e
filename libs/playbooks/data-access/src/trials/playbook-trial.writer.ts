import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  SCHEMA_VERSION,
  TOPICS,
  type PlaybookTrialEnded,
  type PlaybookTrialStarted,
} from '@reverie/contracts';
import { ContractViolationError, EventPublisher } from '@reverie/kafka';
import {
  concludeTrial,
  DEFAULT_SPRT,
  DEFAULT_TRIAL_SHARE,
  PlaybookError,
  trialArm,
  trialOutcomeOf,
  trialSettingsProblem,
  type Author,
  type SprtOptions,
  type TrialArm,
  type TrialEndStatus,
  type TrialPublishMode,
} from '@reverie/playbooks-domain';
import { PlaybookConflictError } from '../repositories/playbook-conflict.error';
import { PlaybookVersionRepository } from '../repositories/playbook-version.repository';
import { PlaybookVersionWriter } from '../writer/playbook-version.writer';
import { PlaybookTrialRepository, type StoredTrial } from './playbook-trial.repository';
import type { TrialAnnouncement, TrialDecisionDoc, TrialPlaybook } from './playbook-trial.schema';

/** A session's place in a trial, as `POST /v1/sessions` serves it. */
export interface TrialAssignment {
  trialId: string;
  arm: TrialArm;
  /** The versions the trial compares (serve `candidate` for the candidate arm). */
  playbooks: TrialPlaybook[];
}

export interface StartTrial {
  agentId: string;
  dreamId: string;
  publish: TrialPublishMode;
  /** Per playbook of the agent: the stored proposal on trial, and the active version (0: none). */
  playbooks: TrialPlaybook[];
  share?: number;
  sprt?: Partial<SprtOptions>;
  maxSessions?: number;
}

/** Sessions a trial assigns at most (keeps the document far under MongoDB's 16 MB). */
export const DEFAULT_TRIAL_MAX_SESSIONS = 5_000;

/**
 * Runs canary trials of playbook versions, for every service that touches one: the dreamer
 * starts them and decides them from the grader's verdicts, the gateway assigns sessions and stops
 * them (the kill switch). The candidate is stored as a proposal; promoting it approves the
 * proposal (`PlaybookVersionWriter.approve`, announced like any activation), rolling back rejects
 * it. Starts and ends are announced on the dreams topic (`playbook.trial_started`,
 * `playbook.trial_ended`) for webhooks.
 */
@Injectable()
export class PlaybookTrialWriter {
  private readonly logger = new Logger('PlaybookTrials');

  constructor(
    private readonly trials: PlaybookTrialRepository,
    private readonly versions: PlaybookVersionRepository,
    private readonly versionWriter: PlaybookVersionWriter,
    private readonly publisher: EventPublisher,
  ) {}

  /** Starts a trial; an older running trial of the agent is stopped first (superseded). */
  async start(tenantId: string, input: StartTrial, now = new Date()): Promise<StoredTrial> {
    const share = input.share ?? DEFAULT_TRIAL_SHARE;
    const sprt = { ...DEFAULT_SPRT, ...input.sprt };
    const problem = trialSettingsProblem(share, sprt);
    if (problem) throw new Error(`cannot start a trial: ${problem}`);
    if (!input.playbooks.length) throw new Error('cannot start a trial of no playbook version');
    const trialId = `trl_${randomBytes(12).toString('hex')}`;
    await this.stopRunning(
      tenantId,
      input.agentId,
      `superseded by trial ${trialId} of dream ${input.dreamId}`,
      now,
    );
    const trial: StoredTrial = {
      _id: trialId,
      tenantId,
      agentId: input.agentId,
      dreamId: input.dreamId,
      status: 'running',
      publish: input.publish,
      share,
      sprt,
      maxSessions: input.maxSessions ?? DEFAULT_TRIAL_MAX_SESSIONS,
      playbooks: input.playbooks,
      arms: {
        candidate: { sessions: 0, graded: 0, succeeded: 0 },
        control: { sessions: 0, graded: 0, succeeded: 0 },
      },
      assigned: [],
      graded: [],
      decision: null,
      startedAt: now,
      endedAt: null,
      announcePending: ['started'],
    };
    await this.trials.insert(trial);
    await this.announce(trial, 'started');
    return trial;
  }

  /**
   * Publishes the announcements Kafka refused (or a stopped replica never sent) that are due
   * before `before`; stops at the first refusal (Kafka is still down: the rest would each wait
   * out the same timeout). Returns how many were published. The dreamers' sweep calls it.
   */
  async announcePending(before: Date): Promise<number> {
    let published = 0;
    for (const trial of await this.trials.unannounced(before)) {
      for (const which of ['started', 'ended'] as const) {
        if (!trial.announcePending?.includes(which)) continue;
        if (!(await this.announce(trial, which))) return published;
        published++;
      }
    }
    return published;
  }

  /** The id of the agent's running trial, or null (a dream checks it before publishing). */
  async runningId(tenantId: string, agentId: string): Promise<string | null> {
    return (await this.trials.findRunningSummary(tenantId, agentId))?._id ?? null;
  }

  /**
   * The arm a new session of the agent runs in, recorded on the trial; null when the agent has no
   * running trial (or it has assigned its most sessions: the session then runs the control,
   * outside the trial).
   */
  async assign(
    tenantId: string,
    agentId: string,
    sessionId: string,
  ): Promise<TrialAssignment | null> {
    // Without the per-session lists: a session start reads a small document.
    const trial = await this.trials.findRunningSummary(tenantId, agentId);
    const served = trial ? trial.arms.candidate.sessions + trial.arms.control.sessions : 0;
    if (!trial || served >= trial.maxSessions) return null;
    const arm = trialArm(trial._id, sessionId, trial.share);
    if (!(await this.trials.assign(tenantId, trial._id, sessionId, arm))) return null;
    return { trialId: trial._id, arm, playbooks: trial.playbooks };
  }

  /**
   * Counts the grader's verdict on a session of a running trial (once per session, whatever is
   * redelivered), then applies the SPRT and, once it decides, takes effect: promote (approve the
   * proposal), leave it for a person (publish `propose`), or roll back (reject it). Returns how
   * the trial stands, or null when the session is in no running trial of the agent.
   */
  async recordVerdict(
    tenantId: string,
    agentId: string,
    sessionId: string,
    result: string,
    now = new Date(),
  ): Promise<StoredTrial['status'] | null> {
    const succeeded = trialOutcomeOf(result);
    if (succeeded === null) return null;
    const trial = await this.trials.findRunning(tenantId, agentId);
    const assigned = trial?.assigned.find((a) => a.sessionId === sessionId);
    if (!trial || !assigned) return null;
    await this.trials.recordGraded(tenantId, trial._id, {
      sessionId,
      arm: assigned.arm,
      succeeded,
      at: now,
    });
    // Decide from what is stored (a redelivered verdict changes nothing but may finish a
    // decision a crash interrupted).
    const current = await this.trials.findById(tenantId, trial._id);
    if (!current || current.status !== 'running') return current?.status ?? null;
    const conclusion = concludeTrial(current.graded, current.publish, current.sprt);
    if (conclusion.status === 'running') return 'running';
    const decided = { ...conclusion.decision, at: now };
    const status = await this.takeEffect(current, conclusion.status, decided.reason);
    const ended = await this.end(current, status.status, { ...decided, reason: status.reason });
    return ended
      ? status.status
      : ((await this.trials.findById(tenantId, trial._id))?.status ?? null);
  }

  /**
   * The kill switch: stops the running trials of one agent (or the whole tenant). The control
   * keeps being served; candidates stay proposals a person may still approve or reject.
   */
  async stopRunning(
    tenantId: string,
    agentId: string | null,
    reason: string,
    now = new Date(),
  ): Promise<string[]> {
    const ids = await this.trials.runningIds(tenantId, agentId);
    const stopped: string[] = [];
    for (const id of ids) {
      const trial = await this.trials.findById(tenantId, id);
      if (!trial || trial.status !== 'running') continue;
      const decision: TrialDecisionDoc = {
        decision: 'stop',
        pairs: 0,
        discordant: 0,
        candidateWins: 0,
        llr: 0,
        upper: 0,
        lower: 0,
        reason,
        at: now,
      };
      if (await this.end(trial, 'stopped', decision)) stopped.push(id);
    }
    return stopped;
  }

  /** Approves or rejects the candidates; tells what the trial ends as, and why. */
  private async takeEffect(
    trial: StoredTrial,
    status: TrialEndStatus,
    reason: string,
  ): Promise<{ status: TrialEndStatus; reason: string }> {
    const author: Author = { kind: 'dream', id: trial.dreamId };
    if (status === 'awaiting_review' || status === 'stopped') return { status, reason };
    for (const p of trial.playbooks) {
      try {
        if (status === 'promoted')
          await this.versionWriter.approve(trial.tenantId, p.playbookId, p.candidate, author);
        else
          await this.versionWriter.reject(
            trial.tenantId,
            p.playbookId,
            p.candidate,
            `canary trial ${trial._id}: ${reason}`.slice(0, 2_000),
            author,
          );
      } catch (err) {
        if (!(err instanceof PlaybookError || err instanceof PlaybookConflictError)) throw err;
        const stored = await this.versions.findVersion(trial.tenantId, p.playbookId, p.candidate);
        // Decided already (a crash after the effect, before the trial's status): nothing to do.
        if (stored?.status === (status === 'promoted' ? 'active' : 'rejected')) continue;
        if (status === 'rolled_back') continue;
        return {
          status: 'stopped',
          reason: `${reason}; but ${p.playbookId} v${p.candidate} could not be made active (${(err as Error).message}), so the current version stays`,
        };
      }
    }
    return { status, reason };
  }

  private async end(
    trial: StoredTrial,
    status: TrialEndStatus,
    decision: TrialDecisionDoc,
  ): Promise<boolean> {
    if (!(await this.trials.end(trial.tenantId, trial._id, status, decision))) return false;
    const fresh = await this.trials.findById(trial.tenantId, trial._id);
    await this.announce(fresh ?? { ...trial, status, decision, endedAt: decision.at }, 'ended');
    return true;
  }

  /**
   * Announces a start or an end for webhooks, built from the stored trial. The trial's state is
   * the source of truth (readable over the API), so a refused announcement is logged, not thrown;
   * it stays in `announcePending` and a later sweep publishes it (its id is the trial's, so
   * webhook deliveries are not doubled). False when Kafka refused it.
   */
  private async announce(trial: StoredTrial, which: TrialAnnouncement): Promise<boolean> {
    const message = which === 'started' ? startedMessage(trial) : endedMessage(trial);
    try {
      await this.publisher.publish(TOPICS.dreams, [message]);
    } catch (err) {
      if (!(err instanceof ContractViolationError)) {
        this.logger.warn(
          `${message.type} of ${trial._id} not announced: ${(err as Error).message}; the sweep tries again`,
        );
        return false;
      }
      // Never valid, whatever the retries: say so once, and do not try again.
      this.logger.error(`${message.type} of ${trial._id} not announced: ${err.message}`);
    }
    await this.trials
      .markAnnounced(trial._id, which)
      .catch((err: Error) =>
        this.logger.warn(
          `${message.type} of ${trial._id}: announced, not recorded as such (${err.message})`,
        ),
      );
    return true;
  }
}

function startedMessage(trial: StoredTrial): PlaybookTrialStarted {
  return {
    id: `${trial._id}:started`,
    type: 'playbook.trial_started',
    tenantId: trial.tenantId,
    agentId: trial.agentId,
    occurredAt: new Date(trial.startedAt).toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      trialId: trial._id,
      dreamId: trial.dreamId,
      share: trial.share,
      playbooks: trial.playbooks,
    },
  };
}

function endedMessage(trial: StoredTrial): PlaybookTrialEnded {
  const decision = trial.decision;
  return {
    id: `${trial._id}:ended`,
    type: 'playbook.trial_ended',
    tenantId: trial.tenantId,
    agentId: trial.agentId,
    occurredAt: new Date(decision?.at ?? trial.endedAt ?? Date.now()).toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      trialId: trial._id,
      dreamId: trial.dreamId,
      status: trial.status as TrialEndStatus,
      reason: (decision?.reason ?? '').slice(0, 4_000),
      playbooks: trial.playbooks,
      arms: trial.arms,
    },
  };
}
