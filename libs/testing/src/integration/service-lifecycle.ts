import { startService, type ServiceConfig, type ServiceDefinition } from '@reverie/service-kit';
import { baseUrl } from './test-stack';

/**
 * Starts a service for real, checks it answers `/health/live` and `/health/ready` (Mongo and Kafka
 * reachable), shuts it down gracefully and checks it stopped listening. Returns what it saw.
 */
export async function checkServiceLifecycle<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
) {
  const app = await startService(definition, config);
  const url = await baseUrl(app);
  const live = await fetch(`${url}/health/live`);
  const ready = await fetch(`${url}/health/ready`);
  const readyBody = (await ready.json()) as { status: string; details: Record<string, unknown> };
  const seen = { live: live.status, ready: ready.status, readyBody };
  await app.close();
  const afterClose = await fetch(`${url}/health/live`).then(
    (r) => r.status,
    () => 'refused' as const,
  );
  return { ...seen, afterClose };
}

/** What `checkServiceLifecycle` sees of a healthy service with one Kafka broker. */
export function healthyLifecycle() {
  return {
    live: 200,
    ready: 200,
    readyBody: expect.objectContaining({
      status: 'ok',
      details: {
        mongo: { status: 'up' },
        kafka: { status: 'up', brokers: 1 },
        consumers: expect.objectContaining({ status: 'up' }),
      },
    }),
    afterClose: 'refused',
  };
}
