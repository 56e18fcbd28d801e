import { ConsumerHealth } from '@reverie/kafka';
import { startService } from '@reverie/service-kit';
import { baseUrl, checkServiceLifecycle, healthyLifecycle } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig } from '../src/config/orchestrator.config';
import { orchestratorEnv } from './orchestrator.harness';

// Each orchestrator here starts its group at the end of the run commands (`orchestratorEnv`): a
// new group reads from the earliest offset, and its own empty database knows none of the sessions
// earlier suites asked to run, so it would run every one of them before this test could end (late
// in a full run, longer than the test's 120 s).
it('orchestrator starts, connects to MongoDB and Kafka, answers health, and shuts down', async () => {
  expect(await checkServiceLifecycle(service, loadConfig(await orchestratorEnv()))).toEqual(
    healthyLifecycle(),
  );
});

it('is not live while a Kafka handler call has made no progress for KAFKA_HANDLER_STALL_MS', async () => {
  const config = loadConfig(await orchestratorEnv({ KAFKA_HANDLER_STALL_MS: '10000' }));
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
