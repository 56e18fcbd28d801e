import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@reverie/contracts';
import type { ConsumedBatch } from '@reverie/kafka';
import { PlaybookTrialWriter } from '@reverie/playbooks-data-access';

/**
 * Kafka entry point of canary trials: each grader's verdict on a session that runs in a trial is
 * counted for its arm (once per session, whatever is redelivered) and the trial's SPRT decides
 * whether the candidate is promoted, left for a person, or rolled back. A verdict on a session in
 * no running trial costs one indexed read of the agent's running trial.
 */
@Controller()
export class TrialOutcomesController {
  private readonly logger = new Logger('PlaybookTrials');

  constructor(private readonly trials: PlaybookTrialWriter) {}

  @EventPattern(TOPICS.outcomes)
  async outcomes(@Payload() batch: ConsumedBatch<typeof TOPICS.outcomes>): Promise<void> {
    for (const m of batch.messages) {
      const status = await this.trials.recordVerdict(
        m.tenantId,
        m.agentId,
        m.sessionId,
        m.payload.result,
        new Date(m.occurredAt),
      );
      if (status && status !== 'running')
        this.logger.log(`trial of agent ${m.agentId} ended: ${status}`);
    }
  }
}
