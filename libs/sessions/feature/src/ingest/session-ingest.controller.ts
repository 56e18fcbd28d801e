import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@reverie/contracts';
import type { ConsumedBatch } from '@reverie/kafka';
import { SessionIngestService } from './session-ingest.service';

/** Kafka entry point: batches from the session topic, already validated by the transport. */
@Controller()
export class SessionIngestController {
  constructor(private readonly ingest: SessionIngestService) {}

  @EventPattern(TOPICS.sessionEvents)
  handle(@Payload() batch: ConsumedBatch<typeof TOPICS.sessionEvents>): Promise<void> {
    return this.ingest.ingest(batch.messages);
  }
}
