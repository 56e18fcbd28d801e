import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SCHEMA_VERSION, TOPICS, type DreamEnded } from '@reverie/contracts';
import {
  DreamQueueRepository,
  DreamRepository,
  DreamSlotRepository,
  type DreamQueue,
  type DreamRecord,
  type QueuedDream,
  type SlotHolder,
} from '@reverie/dreaming-data-access';
import { nextDreamToClaim, recordClaim, totalTokens, ZERO_USAGE } from '@reverie/dreaming-domain';
import { ContractViolationError, EventPublisher } from '@reverie/kafka';
import { ReverieMetrics, withSpan } from '@reverie/telemetry';
import {
  type Clock,
  DREAMER_CLOCK,
  DREAMER_OPTIONS,
  type DreamerOptions,
} from '../dreamer.options';
import { DreamControl, DreamStopped } from './dream-control';
import { DreamPipeline } from './dream-pipeline';
import type { SweepStep } from '../sweep/sweep-step';

/** Claims one fill may see fail (taken by another replica, canceled, a stale lock) before it stops. */
const MAX_MISSED_CLAIMS = 10;

/**
 * Runs dreams: claims waiting dreams (pending, or whose replica died) fairly across tenants, runs
 * the pipeline in the background under a lease, and ends it completed, failed or canceled,
 * releasing the agent's lock. Whenever this replica has a free slot (a dream was requested, one
 * of its dreams ended, a sweep) it hands it out by `nextDreamToClaim`: the tenant with the fewest
 * dreams running across replicas, then the one served longest ago, gets its oldest waiting dream,
 * so one tenant's queue never holds off another's. Its sweep (a step of `DreamerSweep`, which owns
 * the timer) fails dreams that keep dying as `interrupted` after `maxAttempts` runs, never left
 * running, gives back the agent lock of a dream that lost it (the fills choose from the locks), and
 * fills free slots (dreams whose request was lost or whose lease ran out). At shutdown, dreams
 * still running stop at their next heartbeat and are handed back (`DreamRepository.handBack`: the
 * lease ends, the run does not count as an attempt), so another replica resumes them at once; one
 * that has begun publishing, or does not reach a heartbeat within `handBackWaitMs`, keeps its
 * lease until it runs out, as when a replica dies. A resumed dream goes on counting what its
 * earlier runs spent (stored at their heartbeats and hand-back), and from its checkpoint when it
 * has one (DreamPipeline).
 */
@Injectable()
export class DreamRunner implements SweepStep, OnModuleDestroy {
  readonly sweepName = 'dream';
  private readonly logger = new Logger('Dreamer');
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, Promise<void>>();
  /** The running dreams' controls, to hand them back at shutdown. */
  private readonly controls = new Map<string, DreamControl>();
  /** The fill in progress (one at a time), with the dreams it started so far. */
  private filling: Promise<Set<string>> | null = null;
  /** Asked to fill again while a fill was running: it goes round once more. */
  private again = false;
  private stopping = false;

  constructor(
    private readonly dreams: DreamRepository,
    private readonly slots: DreamSlotRepository,
    private readonly pipeline: DreamPipeline,
    private readonly publisher: EventPublisher,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
    private readonly metrics: ReverieMetrics,
    private readonly queue: DreamQueueRepository,
    /** The dreamer's clock, which a scheduled dream's idle window is read against. */
    @Inject(DREAMER_CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * No new dream starts once the service is closing; running ones are asked to stop and are
   * handed back, waited for at most `handBackWaitMs` (the pod's grace period is short). A dream
   * waiting on a model call gives it most of that time to answer, then aborts it, so that it is
   * still handed back in time.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (!this.running.size) return;
    const wait = this.options.handBackWaitMs;
    const grace = wait - Math.min(5_000, Math.floor(wait / 4));
    for (const control of this.controls.values()) control.handBack(grace);
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      Promise.all([...this.running.values()]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.options.handBackWaitMs);
      }),
    ]);
    clearTimeout(timer);
    if (!waited)
      this.logger.warn(
        `${this.running.size} dream(s) still running after ${this.options.handBackWaitMs} ms: they keep their lease until it runs out, then another replica resumes them`,
      );
  }

  /** Dreams this replica is running now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Waits until this replica runs no dream and claims none (tests and shutdown): a dream that ends
   * hands its slot to the next waiting dream, which is waited for too.
   */
  async idle(): Promise<void> {
    while (this.filling || this.running.size > 0) {
      await this.filling;
      await Promise.all([...this.running.values()]);
    }
  }

  /**
   * A dream was asked for: fills this replica's free slots (`concurrency`, and a `dream_slots`
   * document of `globalConcurrency` across replicas) from the waiting dreams in the fair order,
   * this one among them. True when this replica now runs this dream; false when no slot is free
   * (it stays pending: the next slot freed, here or on another replica, or a sweep takes it) or
   * another tenant's dream was due first.
   */
  async request(dreamId: string): Promise<boolean> {
    if (this.running.has(dreamId)) return false;
    return (await this.fill()).has(dreamId);
  }

  /**
   * Claims waiting dreams while this replica has a free slot, one at a time in the fair order;
   * one fill runs at once (a call meanwhile makes it go round again, and waits for it). Resolves
   * with the dreams it started; failures are logged (the next fill, at the latest the sweep, tries
   * again).
   */
  fill(): Promise<Set<string>> {
    if (this.filling) {
      this.again = true;
      return this.filling;
    }
    const started = new Set<string>();
    this.filling = (async () => {
      do {
        this.again = false;
        try {
          await this.fillOnce(started);
        } catch (err) {
          this.logger.warn(`claiming waiting dreams failed: ${(err as Error).message}`);
        }
      } while (this.again && !this.stopping);
      // Cleared in the same step as the last check of `again` (the loop awaited at least once, so
      // `filling` is set by now): a call from here on starts a fill of its own, none is lost.
      this.filling = null;
      return started;
    })();
    return this.filling;
  }

  /**
   * One round of claims. The queue is read once per round (every claim of it chooses from that
   * read, kept up to date with what this round claims): dreams other replicas claim meanwhile cost
   * a missed claim at worst, and dreams asked for meanwhile make `fill` go round again.
   */
  private async fillOnce(started: Set<string>): Promise<void> {
    const missed = new Set<string>();
    let queue: DreamQueue | null = null;
    while (
      !this.stopping &&
      this.running.size < this.options.concurrency &&
      missed.size < MAX_MISSED_CLAIMS
    ) {
      queue ??= await this.queue.snapshot();
      const waiting = queue.waiting.filter(
        (d) => !missed.has(d.dreamId) && !this.running.has(d.dreamId),
      );
      const next = nextDreamToClaim(waiting, queue.running, queue.lastTurn) as QueuedDream | null;
      if (!next) return;
      const outcome = await this.start(next.dreamId);
      if (outcome === 'no_slot') return;
      if (outcome === 'started') {
        started.add(next.dreamId);
        recordClaim(queue, next, new Date());
        continue;
      }
      // Claimed elsewhere, ended, out of attempts or still leased: not this time.
      missed.add(next.dreamId);
      await this.queue
        .releaseIfStale(next)
        .catch((err: Error) =>
          this.logger.warn(`dream ${next.dreamId}: stale lock not checked (${err.message})`),
        );
    }
  }

  /** Takes a global slot for the dream and claims it; runs it in the background. */
  private async start(dreamId: string): Promise<'started' | 'no_slot' | 'missed'> {
    const slotId = await this.slots.acquire(
      dreamId,
      this.owner,
      this.options.globalConcurrency,
      this.options.leaseMs,
    );
    if (!slotId) return 'no_slot';
    const slot: SlotHolder = { slotId, dreamId, owner: this.owner };
    // The service began closing while the slot was taken: no new dream starts.
    if (this.stopping) {
      await this.slots.release(slot).catch(() => undefined);
      return 'no_slot';
    }
    let dream: DreamRecord | null;
    try {
      dream = await this.dreams.claim(
        dreamId,
        this.owner,
        this.options.leaseMs,
        new Date(),
        this.options.maxAttempts,
      );
    } catch (err) {
      await this.slots.release(slot).catch(() => undefined);
      throw err;
    }
    if (!dream) {
      await this.slots.release(slot);
      return 'missed';
    }
    const claimed = dream;
    await this.queue
      .recordTurn(claimed.tenantId)
      .catch((err: Error) =>
        this.logger.warn(`tenant ${claimed.tenantId}: turn not recorded (${err.message})`),
      );
    if (claimed.attempts > 1) this.logger.log(`dream ${dreamId}: resumed after its lease ran out`);
    const run = this.execute(claimed, slot).finally(async () => {
      this.running.delete(dreamId);
      this.controls.delete(dreamId);
      await this.slots
        .release(slot)
        .catch((err: Error) =>
          this.logger.warn(`dream ${dreamId}: slot not released (${err.message}); it expires`),
        );
      // The slot is free: the next waiting dream, in the fair order.
      if (!this.stopping) void this.fill();
    });
    this.running.set(dreamId, run);
    return 'started';
  }

  /**
   * Dreams whose replica died too often: fail them for good; unfinished dreams that lost their
   * agent lock get it back; then free slots go to waiting dreams (a request that was lost, a
   * replica that died), in the fair order. Then ended dreams whose
   * `dream.ended` is still to be published (ended a sweep period ago or more, so not the ones a
   * runner is announcing right now): announce them again.
   */
  async sweep(now = new Date()): Promise<void> {
    await this.failExhausted(now);
    await this.restoreLostLocks(now);
    await this.fill();
    const endedBefore = new Date(now.getTime() - this.options.sweepMs);
    for (const dream of await this.dreams.unannounced(endedBefore)) {
      // Kafka refused this one: the rest would wait out the same timeout each; next sweep.
      if (!(await this.announce(dream))) break;
    }
  }

  /**
   * The safety net (once per pass: it reads `dreams`, not just the locks): an unfinished dream
   * whose agent lock is gone, whatever removed it, is invisible to every fill; its lock is put
   * back so that the fill that follows hands it a slot in its turn.
   */
  private async restoreLostLocks(now: Date): Promise<void> {
    try {
      for (const dreamId of await this.queue.restoreLostLocks(now))
        this.logger.warn(
          `dream ${dreamId}: it had lost its agent lock; restored, it waits its turn`,
        );
    } catch (err) {
      this.logger.warn(`dreams without a lock not checked: ${(err as Error).message}`);
    }
  }

  /** Unfinished dreams whose lease ran out after `maxAttempts` runs: failed as `interrupted`. */
  private async failExhausted(now: Date): Promise<void> {
    for (const dream of await this.dreams.expired(now, 10, this.options.maxAttempts)) {
      const error = {
        type: 'interrupted',
        message: `the dream stopped mid-way ${dream.attempts} times (its dreamer replica was stopped or died); start a new one`,
      };
      if (await this.dreams.abandon(dream, error, now)) {
        this.logger.warn(`dream ${dream._id}: failed after ${dream.attempts} interrupted runs`);
        this.metrics.dreamEnded('failed', null, {}, 0);
        // The same error the dream now shows, for webhooks and other services.
        await this.announce({ ...dream, status: 'failed', error });
      }
    }
  }

  /**
   * Another replica took the dream over: what this run spent since its last heartbeat is added to
   * the dream's stranded counters, so the dream's usage and the agent's budget still count it.
   */
  private async recordStranded(dreamId: string, control: DreamControl, why: string) {
    const left = control.unrecorded();
    const tokens = totalTokens(left.usage);
    if (!tokens && !left.simulations) return this.logger.warn(why);
    const spent = `${tokens} token(s) and ${left.simulations} simulation(s) spent since its last heartbeat`;
    try {
      await this.dreams.recordStranded(dreamId, left);
      this.logger.warn(`${why}; the ${spent} are added to the dream's usage`);
    } catch (err) {
      this.logger.warn(`${why}; the ${spent} could not be recorded (${(err as Error).message})`);
    }
  }

  /**
   * One span for the dream's run on this replica. Started from the consumer of `dream.requested`,
   * it continues the trace of the HTTP request that asked for the dream, and the playbook
   * versions it publishes (Kafka sends, MongoDB writes) are its children.
   */
  private execute(dream: DreamRecord, slot: SlotHolder): Promise<void> {
    const attributes = {
      'reverie.dream.id': dream._id,
      'reverie.agent.id': dream.agentId,
      'reverie.tenant': dream.tenantId,
      'reverie.dream.attempt': dream.attempts,
    };
    return withSpan('dream run', { attributes }, () => this.runDream(dream, slot));
  }

  private async runDream(dream: DreamRecord, slot: SlotHolder): Promise<void> {
    const started = Date.now();
    const stranded = totalTokens(dream.strandedUsage ?? ZERO_USAGE);
    const control = new DreamControl(this.dreams, dream._id, this.owner, this.options.leaseMs, {
      tokenBudget: dream.tokenBudget ?? null,
      // The global slot's lease is renewed with the dream's.
      onBeat: async () => {
        if (!(await this.slots.renew(slot, this.options.leaseMs)))
          this.logger.warn(`dream ${dream._id}: its global slot ${slot.slotId} expired`);
      },
      runUntil: dream.runUntil ? new Date(dream.runUntil) : null,
      now: () => this.clock.now().getTime(),
      // An earlier run's spending (stored at its heartbeats and hand-back) goes on counting.
      carried: { usage: dream.usage ?? ZERO_USAGE, simulations: dream.simulations ?? 0 },
      stranded,
    });
    const earlier = totalTokens(control.usage);
    if (earlier || control.simulations)
      control.notes.push(
        `resumed: earlier runs of this dream spent ${earlier} token(s) and ${control.simulations} simulation(s), counted in its usage and against its budget`,
      );
    if (stranded)
      control.notes.push(
        `${stranded} token(s) spent by runs that lost this dream's lease count against its budget too (the dream's usage over the API includes them; this report's does not)`,
      );
    this.logger.log(
      `dream ${dream._id} (agent ${dream.agentId}) running, attempt ${dream.attempts}`,
    );
    this.controls.set(dream._id, control);
    // Shutdown began while it was being claimed.
    if (this.stopping) control.handBack();
    try {
      const since =
        dream.input.type === 'since_last_dream'
          ? await this.dreams.reviewedUpTo(dream.tenantId, dream.agentId)
          : null;
      const result = await this.pipeline.run(dream, control, since);
      const ended = await this.dreams.finish(dream._id, this.owner, {
        status: 'completed',
        report: { ...result.report, endedAt: new Date().toISOString() } as unknown as Record<
          string,
          unknown
        >,
        outputs: result.outputs,
        usage: control.usage,
        simulations: control.simulations,
        environment: result.environment,
        sessionsReviewed: result.sessionsReviewed,
        reviewedUntil: result.reviewedUntil?.endedAt ?? null,
        reviewedUntilSession: result.reviewedUntil?.sessionId ?? null,
      });
      if (ended) {
        this.metrics.dreamEnded(
          'completed',
          (Date.now() - started) / 1000,
          control.usage,
          control.simulations,
        );
        this.logger.log(
          `dream ${dream._id} completed: ${result.report.changes.length} change(s), ${result.outputs.length} playbook version(s)`,
        );
        await this.announce({
          ...dream,
          status: 'completed',
          outputs: result.outputs,
          environment: result.environment,
          sessionsReviewed: result.sessionsReviewed,
        });
      }
    } catch (err) {
      if (err instanceof DreamStopped && err.reason === 'lease_lost') {
        await this.recordStranded(dream._id, control, err.message);
        return;
      }
      if (err instanceof DreamStopped && err.reason === 'handed_back') {
        const back = await this.dreams
          .handBack(dream._id, this.owner, {
            usage: control.usage,
            simulations: control.simulations,
          })
          .catch(() => false);
        this.logger.log(
          back
            ? `${err.message}; another replica resumes it`
            : `${err.message}; not handed back (its lease runs out, then another replica resumes it)`,
        );
        return;
      }
      const canceled = err instanceof DreamStopped && err.reason === 'canceled';
      const status = canceled ? 'canceled' : 'failed';
      const error = canceled
        ? null
        : {
            type: err instanceof DreamStopped ? err.reason : errorType(err),
            message: (err as Error).message,
          };
      // What it did before it stopped: the stages that ran, what they found, what they spent.
      const published =
        control.current === 'publish' || control.current === 'report'
          ? 'playbook versions it made before stopping stay as they are'
          : 'nothing published';
      control.notes.push(
        canceled
          ? `canceled ${control.stoppedInStage ? 'during' : 'before'} the ${control.current} stage; ${published}`
          : err instanceof DreamStopped
            ? `${err.message}; ${published}`
            : `failed ${control.current ? `in the ${control.current} stage` : 'before its first stage'}: ${(err as Error).message}; ${published}`,
      );
      const found = {
        environment: control.findings.environment ?? null,
        sessionsReviewed: control.findings.sessionsReviewed ?? 0,
      };
      const ended = await this.dreams
        .finish(dream._id, this.owner, {
          status,
          error,
          report: control.report(dream, status, new Date()) as unknown as Record<string, unknown>,
          usage: control.usage,
          simulations: control.simulations,
          ...found,
        })
        .catch(() => false);
      if (err instanceof DreamStopped && !canceled)
        this.logger.warn(`dream ${dream._id} stopped: ${err.message}`);
      else if (!canceled) this.logger.error(`dream ${dream._id} failed: ${(err as Error).stack}`);
      else this.logger.log(`dream ${dream._id} canceled`);
      if (ended) {
        this.metrics.dreamEnded(
          status,
          (Date.now() - started) / 1000,
          control.usage,
          control.simulations,
        );
        await this.announce({ ...dream, ...found, status, error });
      }
    }
  }

  /**
   * Tells other services (webhooks among them) how the dream ended. Should Kafka refuse it, the
   * dream keeps `announcePending` and a later sweep announces it again (the event's id is the
   * dream's, so webhook deliveries are not doubled).
   */
  private async announce(
    dream: Pick<DreamRecord, '_id' | 'tenantId' | 'agentId' | 'status'> & Partial<DreamRecord>,
  ): Promise<boolean> {
    const event: DreamEnded = {
      id: `${dream._id}:ended`,
      type: 'dream.ended',
      tenantId: dream.tenantId,
      agentId: dream.agentId,
      occurredAt: (dream.endedAt ?? new Date()).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      payload: {
        dreamId: dream._id,
        status: dream.status as DreamEnded['payload']['status'],
        environment: dream.environment ?? null,
        sessionsReviewed: dream.sessionsReviewed ?? 0,
        playbooks: dream.outputs ?? [],
        error: dream.error ?? null,
      },
    };
    try {
      await this.publisher.publish(TOPICS.dreams, [event]);
    } catch (err) {
      if (!(err instanceof ContractViolationError)) {
        this.logger.warn(
          `dream ${dream._id}: end not announced (${(err as Error).message}); the sweep tries again`,
        );
        return false;
      }
      // Never valid, whatever the retries: say so once, and do not try again.
      this.logger.error(`dream ${dream._id}: end not announced: ${err.message}`);
    }
    await this.dreams
      .markAnnounced(dream._id)
      .catch((err: Error) =>
        this.logger.warn(`dream ${dream._id}: announced, not recorded as such (${err.message})`),
      );
    return true;
  }
}

/** A stable error type for the API: the playbook changed under the dream, or something else. */
function errorType(err: unknown): string {
  const code = (err as { code?: string })?.code;
  if (code === 'conflict_error' || (err as Error)?.name === 'PlaybookConflictError')
    return 'playbook_conflict';
  return typeof code === 'string' && /^[a-z_]+$/.test(code) ? code : 'internal_error';
}
