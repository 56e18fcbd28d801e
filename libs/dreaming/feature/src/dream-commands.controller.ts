import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@reverie/contracts';
import type { ConsumedBatch } from '@reverie/kafka';
import { DreamRunner } from './pipeline/dream-runner.service';

/**
 * Kafka entry point: `dream.requested` wakes a dreamer for a pending dream. Claiming is a quick
 * conditional write and the dream runs in the background, so the consumer never blocks on it.
 */
@Controller()
export class DreamCommandsController {
  constructor(private readonly runner: DreamRunner) {}

  @EventPattern(TOPICS.dreamCommands)
  async commands(@Payload() batch: ConsumedBatch<typeof TOPICS.dreamCommands>): Promise<void> {
    for (const m of batch.messages) await this.runner.request(m.payload.dreamId);
  }
}
