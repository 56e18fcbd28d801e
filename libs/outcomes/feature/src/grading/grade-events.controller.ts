import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SCHEMA_VERSION, TOPICS, type OutcomeEvaluated } from '@reverie/contracts';
import { EventPublisher, PermanentError, RetriableError, type ConsumedBatch } from '@reverie/kafka';
import { ModelProviderError } from '@reverie/models';
import type { OutcomeRecord } from '@reverie/outcomes-data-access';
import { ReverieMetrics } from '@reverie/telemetry';
import { OUTCOME_GRADER_OPTIONS, type OutcomeGraderOptions } from '../outcome-grader.options';
import { SessionGrader, type GradeRequest } from './session-grader';

/**
 * Kafka entry point of the grader: every `session.ended` on the session topic, and regrade
 * requests. Each request is graded on its own (a bounded number at once). A verdict is announced
 * on the outcomes topic under its outcome id, also when a redelivery finds it already stored, so
 * a crash between storing and announcing loses nothing and consumers see one id. Failures are the
 * transport's to handle: a session that is not readable yet is a `RetriableError` (retried with
 * back-off, then dead-lettered), one that can never be graded a `PermanentError` (dead-lettered).
 */
@Controller()
export class GradeEventsController {
  private readonly logger = new Logger(GradeEventsController.name);

  constructor(
    private readonly grader: SessionGrader,
    private readonly publisher: EventPublisher,
    @Inject(OUTCOME_GRADER_OPTIONS) private readonly options: OutcomeGraderOptions,
    private readonly metrics: ReverieMetrics,
  ) {}

  @EventPattern(TOPICS.sessionEvents)
  async sessionEvents(@Payload() batch: ConsumedBatch<typeof TOPICS.sessionEvents>): Promise<void> {
    const ended = batch.messages.flatMap((m) =>
      m.type === 'session.ended'
        ? [{ message: m, request: { ...refOf(m), iteration: m.payload.iteration ?? 1 } }]
        : [],
    );
    await this.gradeAll(batch, ended);
  }

  @EventPattern(TOPICS.outcomeCommands)
  async commands(@Payload() batch: ConsumedBatch<typeof TOPICS.outcomeCommands>): Promise<void> {
    await this.gradeAll(
      batch,
      batch.messages.map((m) => ({
        message: m,
        request: { ...refOf(m), iteration: null, regradeRequestId: m.payload.requestId },
      })),
    );
  }

  private async gradeAll(
    batch: ConsumedBatch,
    work: Array<{ message: { id: string; sessionId?: string }; request: GradeRequest }>,
  ): Promise<void> {
    for (let i = 0; i < work.length; i += this.options.gradeConcurrency) {
      const results = await Promise.allSettled(
        work.slice(i, i + this.options.gradeConcurrency).map((w) => this.gradeOne(w.request)),
      );
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      // A retriable failure first, so the batch is retried before anything is dead-lettered.
      if (failed.length) throw failed.find((err) => !(err instanceof PermanentError)) ?? failed[0];
      await batch.heartbeat();
    }
  }

  private async gradeOne(request: GradeRequest): Promise<void> {
    let result;
    try {
      result = await this.grader.grade(request, new Date());
    } catch (err) {
      if (isPermanent(err)) throw new PermanentError((err as Error).message, { cause: err });
      throw err;
    }
    if (result.kind === 'no_definition') {
      this.logger.debug(`session ${request.sessionId}: its agent has no outcome definition`);
      return;
    }
    if (result.kind === 'graded' || result.kind === 'already_graded') {
      // A redelivery finds the verdict stored: counted once, when it was made.
      if (result.kind === 'graded') this.metrics.graded(result.outcome.result);
      this.logger.log(
        `session ${request.sessionId} attempt ${result.outcome.iteration}: ${result.outcome.result} (${result.kind})`,
      );
      await this.announce(result.outcome);
      return;
    }
    // Not readable yet (the gateway's ingest is behind): worth another try later.
    throw new RetriableError(result.reason);
  }

  private async announce(outcome: OutcomeRecord): Promise<void> {
    const message: OutcomeEvaluated = {
      id: outcome._id,
      type: 'outcome.evaluated',
      tenantId: outcome.tenantId,
      agentId: outcome.agentId,
      sessionId: outcome.sessionId,
      occurredAt: new Date(outcome.gradedAt).toISOString(),
      schemaVersion: SCHEMA_VERSION,
      payload: {
        outcomeId: outcome._id,
        iteration: outcome.iteration,
        definitionVersion: outcome.definitionVersion,
        maxIterations: outcome.maxIterations,
        result: outcome.result,
        score: outcome.score,
        criteria: outcome.criteria,
        failedCriteria: outcome.failedCriteria,
        summary: outcome.summary,
        judgeUsage: outcome.judgeUsage,
        signals: outcome.signals,
        regrade: outcome.regrade,
      },
    };
    await this.publisher.publish(TOPICS.outcomes, [message]);
  }
}

function refOf(m: { tenantId: string; agentId: string; sessionId: string }) {
  return { tenantId: m.tenantId, agentId: m.agentId, sessionId: m.sessionId };
}

/** Errors retrying cannot fix: a judge that is set up wrongly or refuses the request, bad data. */
function isPermanent(err: unknown): boolean {
  if (err instanceof ModelProviderError)
    return err.kind === 'configuration' || err.kind === 'rejected';
  return err instanceof Error && (err.name === 'OutcomeError' || err.name === 'JudgeError');
}
