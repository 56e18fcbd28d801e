import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerHealth } from '@reverie/kafka';

/**
 * Where the service's Kafka consumers are in starting up, as seen by `startService`: HTTP opens
 * before they have joined their group (a rejoin can take a session timeout), so until they run
 * the service is live but not ready.
 */
@Injectable()
export class ConsumerStartup {
  private state: 'none' | 'starting' | 'started' | 'failed' = 'none';
  private error: string | null = null;

  starting(): void {
    this.state = 'starting';
  }

  started(): void {
    this.state = 'started';
  }

  failed(err: unknown): void {
    this.state = 'failed';
    this.error = err instanceof Error ? err.message : String(err);
  }

  /** Null when the consumers have started (or the service has none); else why not. */
  problem(): string | null {
    if (this.state === 'starting') return 'the Kafka consumers are still joining their group';
    if (this.state === 'failed') return `the Kafka consumers failed to start: ${this.error}`;
    return null;
  }
}

/** Consumers are ready once started and while the transport reports every one of them running. */
@Injectable()
export class ConsumersHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly startup: ConsumerStartup,
    private readonly consumers: ConsumerHealth,
  ) {}

  check(key: string) {
    const indicator = this.health.check(key);
    const problem = this.startup.problem() ?? this.consumers.problem();
    const groups = this.consumers.snapshot().map((c) => ({ group: c.groupId, state: c.state }));
    return problem ? indicator.down({ message: problem, groups }) : indicator.up({ groups });
  }
}
