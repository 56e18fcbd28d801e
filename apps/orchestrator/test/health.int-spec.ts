import { ConsumerHealth } from '@reverie/kafka';
import { startService } from '@reverie/service-kit';
import {
  baseUrl,
  checkServiceLifecycle,
  healthyLifecycle,
  serviceEnv,
} from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig } from '../src/config/orchestrator.config';

it('orchestrator starts, connects to MongoDB and Kafka, answers health, and shuts down', async () => {
  expect(await checkServiceLifecycle(service, loadConfig(serviceEnv('orchestrator')))).toEqual(
    healthyLifecycle(),
  );
});

it('is not live while a Kafka handler call has made no progress for KAFKA_HANDLER_STALL_MS', async () => {
  const config = loadConfig(serviceEnv('orchestrator', { KAFKA_HANDLER_STALL_MS: '10000' }));
  expect(config.kafka.handlerStallMs).toBe(10_000);
  const app = await startService(service, config);
  try {
    const url = await baseUrl(app);
    // The transport's own tracking is tested on a real broker (kafka-batch.server.int-spec);
    // here a call it would have registered 11 s ago, to see what the probe answers.
    const health = app.get(ConsumerHealth);
    const call = health.handlerStarted(
      {
        groupId: config.kafka.groupId,
        topic: 'reverie.runs.commands.v1',
        partition: 4,
        stallMs: 10_000,
      },
      Date.now() - 11_000,
    );
    const stalled = await fetch(`${url}/health/live`);
    expect(stalled.status).toBe(503);
    expect(await stalled.json()).toEqual({
      status: 'error',
      message: expect.stringMatching(
        /handler of reverie\.runs\.commands\.v1\[4\] has made no progress for 11 s \(limit 10 s\)/,
      ),
    });
    health.handlerEnded(call);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  } finally {
    await app.close();
  }
});
