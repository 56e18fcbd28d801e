import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KAFKA_ADMIN } from '@reverie/kafka';
import type { Admin } from 'kafkajs';

/** Kafka is ready when the cluster answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
  ) {}

  async isHealthy(key: string, timeoutMs = 3_000) {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      });
      const cluster = await Promise.race([this.admin.describeCluster(), timeout]);
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
