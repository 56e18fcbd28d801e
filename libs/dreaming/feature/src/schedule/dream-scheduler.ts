import { randomBytes } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  DreamingControlRepository,
  DreamRepository,
  DreamSlotRepository,
} from '@reverie/dreaming-data-access';
import { dayStart, scheduleDecision, windowCloses } from '@reverie/dreaming-domain';
import {
  AgentDreamingRepository,
  SessionReader,
  type DreamingAgent,
  type ScheduleError,
} from '@reverie/sessions-data-access/readers';
import {
  type Clock,
  DREAMER_CLOCK,
  DREAMER_OPTIONS,
  type DreamerOptions,
} from '../dreamer.options';
import { DreamRunner } from '../pipeline/dream-runner.service';

export type ScheduleSkip =
  | 'disabled'
  | 'not_due'
  | 'outside_window'
  | 'paused'
  | 'nothing_new'
  | 'day_budget_spent'
  | 'busy'
  | 'already_dreaming';

/** What one tick decided for one agent. */
export type ScheduleOutcome =
  | {
      agentId: string;
      tenantId: string;
      /** The scheduled dream. */
      started: string;
      tokenBudget: number | null;
      /**
       * Whether this replica runs it now; when its slots are busy (or another tenant's waiting
       * dream was due first) the dream waits, pending, for the next free slot of any replica.
       */
      running: boolean;
    }
  | { agentId: string; tenantId: string; skipped: ScheduleSkip; detail: string }
  /** Considering the agent failed (bad settings stored past validation, a failed read): skipped. */
  | { agentId: string; tenantId: string; failed: string };

export function newDreamId(now = Date.now()): string {
  return `drm_${now.toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

/**
 * Starts agents' dreams on their settings: when the schedule's latest slot has no scheduled dream
 * yet, inside the idle window, unless dreaming is paused (the agent's or the tenant's kill switch),
 * nothing ended since the last dream, the day's token budget is spent, or the replicas already run
 * as many dreams as the global limit allows (the slot stays due for the next tick). Each dream gets
 * the smaller of its per-dream budget and what is left of the day's. Ticks on a timer; tests call
 * `tick(now)` with their own clock.
 */
@Injectable()
export class DreamScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DreamScheduler');
  private timer: NodeJS.Timeout | null = null;
  private ticking = false;

  constructor(
    private readonly controls: DreamingControlRepository,
    private readonly agents: AgentDreamingRepository,
    private readonly dreams: DreamRepository,
    private readonly slots: DreamSlotRepository,
    private readonly sessions: SessionReader,
    private readonly runner: DreamRunner,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
    @Inject(DREAMER_CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.scheduleTickMs <= 0) return;
    this.timer = setInterval(() => void this.safeTick(), this.options.scheduleTickMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async safeTick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.tick();
    } catch (err) {
      this.logger.warn(`schedule tick failed: ${(err as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  /**
   * One pass over the agents whose dreaming is enabled. Agents are isolated: one whose
   * consideration throws (a cron or time zone stored past validation, a failed read) is logged,
   * recorded on the agent as `dreaming.lastScheduleError`, and skipped; the others go on.
   */
  async tick(now = this.clock.now()): Promise<ScheduleOutcome[]> {
    const out: ScheduleOutcome[] = [];
    for (const agent of await this.agents.enabledAgents()) {
      const outcome = await this.considerIsolated(agent, now);
      out.push(outcome);
      if ('failed' in outcome) continue;
      if ('started' in outcome)
        this.logger.log(
          `agent ${agent._id}: scheduled dream ${outcome.started} ${outcome.running ? 'started' : 'queued (it starts in its turn when a slot frees)'}`,
        );
      else if (outcome.skipped !== 'not_due')
        this.logger.debug(`agent ${agent._id}: ${outcome.skipped} (${outcome.detail})`);
    }
    return out;
  }

  /** `consider`, with its failure caught, logged and recorded on the agent. */
  private async considerIsolated(agent: DreamingAgent, now: Date): Promise<ScheduleOutcome> {
    const ids = { agentId: agent._id, tenantId: agent.tenantId };
    let outcome: ScheduleOutcome;
    try {
      outcome = await this.consider(agent, now);
    } catch (err) {
      const message = `scheduling failed: ${(err as Error).message}; fix the agent's dreaming settings with PUT /v1/agents/${agent._id}`;
      this.logger.warn(`agent ${agent._id} of tenant ${agent.tenantId} skipped: ${message}`);
      await this.recordError(agent, { message, at: now });
      return { ...ids, failed: message };
    }
    // Considered again without trouble: the old error no longer holds.
    if (agent.dreaming.lastScheduleError) await this.recordError(agent, null);
    return outcome;
  }

  private async recordError(agent: DreamingAgent, error: ScheduleError | null): Promise<void> {
    try {
      if (error) await this.agents.recordScheduleError(agent.tenantId, agent._id, error);
      else await this.agents.clearScheduleError(agent.tenantId, agent._id);
    } catch (err) {
      // Recording is best effort: it must not stop the tick either.
      this.logger.warn(
        `agent ${agent._id}: the schedule error could not be recorded: ${(err as Error).message}`,
      );
    }
  }

  private async consider(agent: DreamingAgent, now: Date): Promise<ScheduleOutcome> {
    const ids = { agentId: agent._id, tenantId: agent.tenantId };
    const skip = (skipped: ScheduleSkip, detail: string): ScheduleOutcome => ({
      ...ids,
      skipped,
      detail,
    });
    const settings = agent.dreaming;
    const pause = await this.controls.state(agent.tenantId, agent._id);
    if (pause.paused)
      return skip(
        'paused',
        `dreaming paused for the ${pause.scope}${pause.reason ? `: ${pause.reason}` : ''}`,
      );

    const last = await this.dreams.lastScheduled(agent.tenantId, agent._id);
    const decision = scheduleDecision(settings, last ? new Date(last.createdAt) : null, now);
    if (!decision.due)
      return skip(
        decision.reason,
        decision.slot ? `slot ${decision.slot.toISOString()}` : 'no slot',
      );

    const reviewed = await this.dreams.reviewedUpTo(agent.tenantId, agent._id);
    const fresh = await this.sessions.endedForReview(agent.tenantId, agent._id, {
      after: reviewed,
      limit: 1,
    });
    if (!fresh.length)
      return skip(
        'nothing_new',
        `no session ended since ${reviewed?.endedAt.toISOString() ?? 'ever'}`,
      );

    const perDay = settings.budget?.tokensPerDay ?? null;
    const perDream = settings.budget?.tokensPerDream ?? null;
    let left: number | null = null;
    if (perDay !== null) {
      const spent = await this.dreams.tokensSince(
        agent.tenantId,
        agent._id,
        dayStart(now, settings.timezone),
      );
      if (spent >= perDay)
        return skip(
          'day_budget_spent',
          `${spent} of ${perDay} tokens spent today (${settings.timezone})`,
        );
      left = perDay - spent;
    }
    const tokenBudget =
      left === null ? perDream : perDream === null ? left : Math.min(left, perDream);

    const running = await this.slots.held();
    if (running >= this.options.globalConcurrency)
      return skip(
        'busy',
        `${running} dream(s) running, the global limit is ${this.options.globalConcurrency}`,
      );

    const created = await this.dreams.create(
      {
        _id: newDreamId(now.getTime()),
        tenantId: agent.tenantId,
        agentId: agent._id,
        input: { type: 'since_last_dream', limit: this.options.maxSessions },
        instructions: settings.instructions ?? '',
        model: settings.model ?? { provider: 'builtin' },
        publish: settings.publish,
        trigger: 'schedule',
        tokenBudget,
        // Due only inside the window: it closes on the dream too, waiting or running.
        runUntil: windowCloses(settings.window, settings.timezone, now),
      },
      now,
    );
    if (!created.created)
      return skip('already_dreaming', `dream ${created.running._id} is ${created.running.status}`);
    const runsHere = await this.runner.request(created.dream._id);
    return { ...ids, started: created.dream._id, tokenBudget, running: runsHere };
  }
}
