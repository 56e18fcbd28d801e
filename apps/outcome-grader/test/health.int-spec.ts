import { checkServiceLifecycle, healthyLifecycle, serviceEnv } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig } from '../src/config/outcome-grader.config';

it('outcome-grader starts, connects to MongoDB and Kafka, answers health, and shuts down', async () => {
  expect(await checkServiceLifecycle(service, loadConfig(serviceEnv('outcome-grader')))).toEqual(
    healthyLifecycle(),
  );
});
