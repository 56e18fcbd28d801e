import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createKafka } from '@reverie/kafka';
import { KafkaHealthIndicator } from '@reverie/service-kit';
import { HealthIndicatorService } from '@nestjs/terminus';
import { checkServiceLifecycle, healthyLifecycle, serviceEnv } from '@reverie/testing/integration';
import { gatewayService } from '../src/app.module';
import { loadGatewayConfig } from '../src/config/gateway.config';

const root = join(__dirname, '../../..');

describe('session-gateway lifecycle', () => {
  it('starts, answers health, and shuts down gracefully', async () => {
    const config = loadGatewayConfig(serviceEnv('gateway'));
    expect(await checkServiceLifecycle(gatewayService, config)).toEqual(healthyLifecycle());
  });

  it('reports Kafka down when the brokers do not answer', async () => {
    const kafka = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'probe' });
    const indicator = new KafkaHealthIndicator(new HealthIndicatorService(), kafka.admin());
    expect(await indicator.isHealthy('kafka', 1_000)).toEqual({
      kafka: expect.objectContaining({ status: 'down' }),
    });
  });

  it('refuses to start on bad configuration with one line naming each variable', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'apps/session-gateway/src/main.ts'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, KAFKA_BROKERS: 'not a broker', PORT: 'eighty' },
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^session-gateway: invalid configuration: /);
    expect(lines[0]).toMatch(/MONGO_URL is required/);
    expect(lines[0]).toMatch(/KAFKA_BROKERS/);
    expect(lines[0]).toMatch(/PORT/);
  });
});
