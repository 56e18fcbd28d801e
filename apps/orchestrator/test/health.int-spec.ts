import { checkServiceLifecycle, serviceEnv } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig } from '../src/config/orchestrator.config';

describe('orchestrator service', () => {
  it('starts, connects to MongoDB and Kafka, answers health, and shuts down', async () => {
    const seen = await checkServiceLifecycle(service, loadConfig(serviceEnv('orchestrator')));
    expect(seen).toEqual({
      live: 200,
      ready: 200,
      readyBody: expect.objectContaining({
        status: 'ok',
        details: { mongo: { status: 'up' }, kafka: { status: 'up', brokers: 1 } },
      }),
      afterClose: 'refused',
    });
  });
});
