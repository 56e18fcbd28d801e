import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type RunRequested } from '@reverie/contracts';
import { KAFKA_SETTINGS, type ConsumedBatch, type KafkaSettings } from '@reverie/kafka';
import { SessionReader } from '@reverie/sessions-data-access/readers';
import { RunRepository, type RunRef } from '../data/run.repository';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from '../orchestration.options';
import { runBatchWork } from './batch-work';
import { ConcurrencyLimiter } from './concurrency-limiter';
import { ManagedSessionRunner } from './managed-session.runner';
import { skipReason } from './session-gate';

/**
 * Kafka entry point for run commands. Each batch's runs go through the replica's concurrency
 * limit; the batch returns (and its offsets are committed) only when all of them have finished,
 * so a replica that dies mid-run has its commands redelivered to another. The runs collection
 * makes that safe: a finished run is skipped, a `running` one (its replica died) runs again.
 * Only a running session runs: the command of one that has ended (canceled by the gateway because
 * the command was not acknowledged in time, then landing late; or ended by its client) is skipped
 * and its run left unfinished, so the command a keyed retry sends after reopening the session runs
 * it. One session's commands share a partition and each batch finishes before the next, so a late
 * original and a retry's identical command after the reopen run it once (the second finds the run
 * finished).
 */
@Controller()
export class RunCommandsController {
  private readonly logger = new Logger(RunCommandsController.name);

  constructor(
    private readonly runs: RunRepository,
    private readonly sessions: SessionReader,
    private readonly runner: ManagedSessionRunner,
    private readonly limiter: ConcurrencyLimiter,
    @Inject(ORCHESTRATION_OPTIONS) private readonly options: OrchestrationOptions,
    @Inject(KAFKA_SETTINGS) private readonly kafka: KafkaSettings,
  ) {}

  @EventPattern(TOPICS.runCommands)
  async handle(@Payload() batch: ConsumedBatch<typeof TOPICS.runCommands>): Promise<void> {
    // A command sent twice in one batch runs once.
    const commands = [
      ...new Map(batch.messages.map((m) => [`${m.tenantId}/${m.sessionId}`, m])).values(),
    ];
    await this.runs.markQueued(commands.map(refOf), new Date());
    await runBatchWork(batch, this.kafka.heartbeatIntervalMs, this.limiter, commands, (c) =>
      this.runOne(c),
    );
  }

  private async runOne(command: RunRequested): Promise<void> {
    const ref = refOf(command);
    const skip = skipReason(await this.sessions.session(ref.tenantId, ref.sessionId));
    if (skip) {
      await this.runs.markSkipped(ref, skip, new Date());
      this.logger.warn(`run ${command.sessionId} not started: ${skip}; skipping its command`);
      return;
    }
    const claimed = await this.runs.claim(ref, this.options.replicaId, new Date(), {
      run: command.payload.run,
      agentModel: command.payload.agentModel,
      ...(command.payload.roleModels ? { roleModels: command.payload.roleModels } : {}),
      ...(command.payload.batchId ? { batchId: command.payload.batchId } : {}),
    });
    if (!claimed) {
      this.logger.log(
        `run ${command.sessionId} already finished; skipping the redelivered command`,
      );
      return;
    }
    if (claimed.attempts > 1)
      this.logger.warn(
        `run ${command.sessionId} was left running (attempt ${claimed.attempts}); running it again`,
      );
    const outcome = await this.runner.run(command);
    await this.runs.finish(ref.tenantId, ref.sessionId, outcome.status, outcome.reason, new Date());
  }
}

function refOf(m: RunRequested): RunRef {
  return {
    tenantId: m.tenantId,
    agentId: m.agentId,
    sessionId: m.sessionId,
    ...(m.payload.batchId ? { batchId: m.payload.batchId } : {}),
  };
}
