import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import {
  SCHEMA_VERSION,
  TOPICS,
  type OutcomeEvaluated,
  type RunRequested,
} from '@reverie/contracts';
import { KAFKA_SETTINGS, type ConsumedBatch, type KafkaSettings } from '@reverie/kafka';
import { RunRepository } from '../data/run.repository';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from '../orchestration.options';
import { runBatchWork } from './batch-work';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { ManagedSessionRunner } from './managed-session.runner';

/**
 * The revise loop: when the grader says a managed session `needs_revision` (so iterations
 * remain), the session runs again as its next attempt, with the grader's summary as the agent's
 * next input; the grader grades that attempt in turn. The loop ends with any other result
 * (`satisfied`, `max_iterations_reached`, `failed`). Claiming the next attempt in the runs
 * collection makes a redelivered verdict, or one seen by two replicas, run it once.
 */
@Controller()
export class OutcomeEventsController {
  private readonly logger = new Logger(OutcomeEventsController.name);

  constructor(
    private readonly runs: RunRepository,
    private readonly runner: ManagedSessionRunner,
    private readonly limiter: ConcurrencyLimiter,
    @Inject(ORCHESTRATION_OPTIONS) private readonly options: OrchestrationOptions,
    @Inject(KAFKA_SETTINGS) private readonly kafka: KafkaSettings,
  ) {}

  @EventPattern(TOPICS.outcomes)
  async handle(@Payload() batch: ConsumedBatch<typeof TOPICS.outcomes>): Promise<void> {
    const revisions = batch.messages.filter(
      (m) => m.payload.result === 'needs_revision' && !m.payload.regrade,
    );
    await runBatchWork(batch, this.kafka.heartbeatIntervalMs, this.limiter, revisions, (m) =>
      this.revise(m),
    );
  }

  private async revise(outcome: OutcomeEvaluated): Promise<void> {
    const { tenantId, sessionId } = outcome;
    const { iteration, maxIterations, outcomeId, summary } = outcome.payload;
    if (iteration >= maxIterations) return;
    const run = await this.runs.claimRevision(
      tenantId,
      sessionId,
      iteration,
      this.options.replicaId,
      new Date(),
    );
    if (!run?.spec) return; // not ours, already revised, or a run from before specs were kept
    this.logger.log(
      `session ${sessionId}: attempt ${run.iteration} (the grader asked for a revision)`,
    );
    const command: RunRequested = {
      id: `run_${sessionId}`,
      type: 'run.requested',
      tenantId,
      agentId: outcome.agentId,
      sessionId,
      occurredAt: new Date().toISOString(),
      schemaVersion: SCHEMA_VERSION,
      payload: run.spec,
    };
    const result = await this.runner.run(command, {
      iteration: run.iteration,
      outcomeId,
      feedback: summary,
    });
    await this.runs.finish(tenantId, sessionId, result.status, result.reason, new Date());
  }
}
