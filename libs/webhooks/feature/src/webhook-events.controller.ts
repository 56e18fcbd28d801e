import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@reverie/contracts';
import type { ConsumedBatch } from '@reverie/kafka';
import { WebhookFanout } from './webhook-fanout.service';
import { WebhookSender } from './webhook-sender.service';

/**
 * Kafka entry point of webhooks: dreams that ended and playbook versions that became active.
 * Enqueueing is a few quick writes; sending happens in the background, so a slow receiver never
 * holds up the consumer.
 */
@Controller()
export class WebhookEventsController {
  constructor(
    private readonly fanout: WebhookFanout,
    private readonly sender: WebhookSender,
  ) {}

  @EventPattern(TOPICS.dreams)
  async dreams(@Payload() batch: ConsumedBatch<typeof TOPICS.dreams>): Promise<void> {
    await this.handle(batch.messages);
  }

  @EventPattern(TOPICS.playbookVersions)
  async playbookVersions(
    @Payload() batch: ConsumedBatch<typeof TOPICS.playbookVersions>,
  ): Promise<void> {
    await this.handle(batch.messages);
  }

  private async handle(messages: Array<{ type: string }>): Promise<void> {
    if ((await this.fanout.enqueue(messages)) > 0) this.sender.kick();
  }
}
