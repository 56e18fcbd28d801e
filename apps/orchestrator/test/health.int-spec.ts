import { checkServiceLifecycle, healthyLifecycle, serviceEnv } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig } from '../src/config/orchestrator.config';

it('orchestrator starts, connects to MongoDB and Kafka, answers health, and shuts down', async () => {
  expect(await checkServiceLifecycle(service, loadConfig(serviceEnv('orchestrator')))).toEqual(
    healthyLifecycle(),
  );
});
