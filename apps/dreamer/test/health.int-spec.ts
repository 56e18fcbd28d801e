import { checkServiceLifecycle, healthyLifecycle, serviceEnv } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig } from '../src/config/dreamer.config';

it('dreamer starts, connects to MongoDB and Kafka, answers health, and shuts down', async () => {
  expect(await checkServiceLifecycle(service, loadConfig(serviceEnv('dreamer')))).toEqual(
    healthyLifecycle(),
  );
});
