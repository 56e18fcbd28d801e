import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConnectionStates, type Connection } from 'mongoose';
import { withTimeout } from '../timeout';

/**
 * MongoDB is ready when it answers a ping within the timeout. Terminus's mongoose check only reads
 * the connection's state, which changes when the driver's monitor next fails a heartbeat (up to
 * 2 s here): in that window readiness said "up" while the requests that need MongoDB already
 * answered 503 (seen in CI, 25 Nov). A ping goes where the requests go.
 */
@Injectable()
export class MongoHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @InjectConnection() private readonly connection: Connection,
  ) {}

  async isHealthy(key: string, timeoutMs = 3_000) {
    const indicator = this.health.check(key);
    try {
      const db = this.connection.db;
      if (this.connection.readyState !== ConnectionStates.connected || !db)
        throw new Error('not connected');
      await withTimeout(db.admin().ping(), timeoutMs, 'ping');
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}
