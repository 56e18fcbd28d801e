import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ConsumerHealth } from '@reverie/kafka';
import { ConsumersHealthIndicator } from './consumers.health';
import { KafkaHealthIndicator } from './kafka.health';
import { MongoHealthIndicator } from './mongo.health';

/**
 * `/health/live`: the process runs (answers as soon as HTTP is open), and no Kafka handler call
 * has gone without returning or heartbeating for longer than `KAFKA_HANDLER_STALL_MS` (a stuck
 * call holds its partition until the process restarts; 503 names it). `/health/ready`: MongoDB
 * answers a ping, Kafka answers a metadata request, and the Kafka consumers run; 503 (with
 * `Retry-After`) and the failing part otherwise.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongoHealthIndicator,
    private readonly kafka: KafkaHealthIndicator,
    private readonly consumers: ConsumersHealthIndicator,
    private readonly consumerHealth: ConsumerHealth,
  ) {}

  @Get('live')
  live(@Res({ passthrough: true }) res: { status(code: number): unknown }) {
    const stalled = this.consumerHealth.stalled();
    if (!stalled) return { status: 'ok' };
    res.status(503);
    return { status: 'error', message: stalled };
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: { status(code: number): unknown }) {
    try {
      return await this.health.check([
        () => this.mongo.isHealthy('mongo'),
        () => this.kafka.isHealthy('kafka'),
        () => this.consumers.check('consumers'),
      ]);
    } catch (err) {
      // Answered here rather than thrown: an app's error filter would replace the body that says
      // which dependency is down with a generic error.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse();
    }
  }
}
