import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KAFKA_ADMIN } from '@reverie/kafka';
import type { Admin } from 'kafkajs';
import { withTimeout } from '../timeout';

/** Kafka is ready when the cluster answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {}

  async isHealthy(key: string, timeoutMs = 3_000) {
    const indicator = this.health.check(key);
    try {
      const cluster = await withTimeout(this.admin.describeCluster(), timeoutMs, 'metadata');
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
