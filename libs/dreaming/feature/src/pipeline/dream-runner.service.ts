import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SCHEMA_VERSION, TOPICS, type DreamEnded } from '@reverie/contracts';
import {
  DreamRepository,
  DreamSlotRepository,
  type DreamRecord,
  type SlotHolder,
} from '@reverie/dreaming-data-access';
import { ContractViolationError, EventPublisher } from '@reverie/kafka';
import { ReverieMetrics, withSpan } from '@reverie/telemetry';
import { DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';
import { DreamControl, DreamStopped } from './dream-control';
import { DreamPipeline } from './dream-pipeline';
import type { SweepStep } from '../sweep/sweep-step';

/**
 * Runs dreams: claims a pending dream (or one whose replica died), runs the pipeline in the
 * background under a lease, and ends it completed, failed or canceled, releasing the agent's
 * lock. Its sweep (a step of `DreamerSweep`, which owns the timer) finds dreams whose request was
 * lost or whose lease ran out; a dream that keeps dying is failed as `interrupted` after
 * `maxAttempts` runs, never left running. Dreams still running at shutdown keep their lease until
 * it runs out; another replica resumes them.
 */
@Injectable()
export class DreamRunner implements SweepStep {
  readonly sweepName = 'dream';
  private readonly logger = new Logger('Dreamer');
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, Promise<void>>();
  /** Requests between the local slot check and the dream's start (they count against it). */
  private starting = 0;

  constructor(
    private readonly dreams: DreamRepository,
    private readonly slots: DreamSlotRepository,
    private readonly pipeline: DreamPipeline,
    private readonly publisher: EventPublisher,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
    private readonly metrics: ReverieMetrics,
  ) {}

  /** Dreams this replica is running now. */
  get active(): number {
    return this.running.size;
  }

  /** Waits for the dreams this replica is running (tests and shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }

  /**
   * Takes the dream if it is free and a slot is, here (`concurrency`) and across replicas
   * (`globalConcurrency`, a `dream_slots` document): true when this replica now runs it. When
   * every slot is busy the dream stays pending, and a sweep takes it once its grace has passed.
   */
  async request(dreamId: string): Promise<boolean> {
    if (this.running.has(dreamId) || this.running.size + this.starting >= this.options.concurrency)
      return false;
    this.starting++;
    try {
      const slotId = await this.slots.acquire(
        dreamId,
        this.owner,
        this.options.globalConcurrency,
        this.options.leaseMs,
      );
      if (!slotId) return false;
      const slot: SlotHolder = { slotId, dreamId, owner: this.owner };
      const dream = await this.dreams.claim(dreamId, this.owner, this.options.leaseMs);
      if (!dream) {
        await this.slots.release(slot);
        return false;
      }
      const run = this.execute(dream, slot).finally(async () => {
        this.running.delete(dreamId);
        await this.slots
          .release(slot)
          .catch((err: Error) =>
            this.logger.warn(`dream ${dreamId}: slot not released (${err.message}); it expires`),
          );
      });
      this.running.set(dreamId, run);
      return true;
    } finally {
      this.starting--;
    }
  }

  /**
   * Dreams whose request was lost or whose replica died: resume them, or fail them for good. Then
   * ended dreams whose `dream.ended` is still to be published (ended a sweep period ago or more,
   * so not the ones a runner is announcing right now): announce them again.
   */
  async sweep(now = new Date()): Promise<void> {
    await this.resumeExpired(now);
    const endedBefore = new Date(now.getTime() - this.options.sweepMs);
    for (const dream of await this.dreams.unannounced(endedBefore)) {
      // Kafka refused this one: the rest would wait out the same timeout each; next sweep.
      if (!(await this.announce(dream))) break;
    }
  }

  private async resumeExpired(now: Date): Promise<void> {
    for (const dream of await this.dreams.expired(now)) {
      if (dream.attempts >= this.options.maxAttempts) {
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
        continue;
      }
      if (await this.request(dream._id))
        this.logger.log(
          `dream ${dream._id}: ${dream.status === 'running' ? 'resumed after its lease ran out' : 'picked up by the sweep'}`,
        );
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
    const control = new DreamControl(
      this.dreams,
      dream._id,
      this.owner,
      this.options.leaseMs,
      dream.tokenBudget ?? null,
      // The global slot's lease is renewed with the dream's.
      async () => {
        if (!(await this.slots.renew(slot, this.options.leaseMs)))
          this.logger.warn(`dream ${dream._id}: its global slot ${slot.slotId} expired`);
      },
    );
    this.logger.log(
      `dream ${dream._id} (agent ${dream.agentId}) running, attempt ${dream.attempts}`,
    );
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
        this.logger.warn(err.message);
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
          ? `canceled before the ${control.current} stage; ${published}`
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
