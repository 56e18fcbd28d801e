import { createKafka } from '@reverie/kafka';
import { loadServiceConfig } from '@reverie/service-kit';
import type { ApiClient } from '@reverie/testing';
import {
  PRIVATE_STACK_SASL,
  serviceEnv,
  startPrivateStack,
  type PrivateStack,
} from '@reverie/testing/integration';
import { loadGatewayConfig } from '../src/config/gateway.config';
import { anAgentOf, ingestCaughtUp, startReplica, type RunningGateway } from './gateway.harness';

/**
 * A broker that takes clients only through SASL (a private stack's SASL_PLAINTEXT listener,
 * mechanism PLAIN): the gateway configured with KAFKA_SASL_* publishes and ingests through it,
 * and a wrong password is refused by the broker.
 */
describe('Kafka with SASL (KAFKA_SASL_MECHANISM, _USERNAME, _PASSWORD)', () => {
  let stack: PrivateStack;
  let gateway: RunningGateway | undefined;
  let api: ApiClient;

  const saslEnv = (password: string) => ({
    KAFKA_BROKERS: stack.saslBrokers ?? '',
    MONGO_URL: stack.mongoUrl,
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: PRIVATE_STACK_SASL.username,
    KAFKA_SASL_PASSWORD: password,
  });

  beforeAll(async () => {
    stack = await startPrivateStack({ mongoBackend: 'memory', sasl: true });
    gateway = await startReplica(
      loadGatewayConfig(serviceEnv('gateway', saslEnv(PRIVATE_STACK_SASL.password))),
    );
    api = await gateway.tenant();
  }, 240_000);

  afterAll(async () => {
    await gateway?.close();
    await stack?.down();
  }, 120_000);

  it('runs the gateway on a SASL listener: a session and its events go through Kafka and are stored', async () => {
    expect(stack.saslBrokers).toMatch(/^127\.0\.0\.1:\d+$/);
    const agentId = await anAgentOf(api);
    const session = await api.post('/v1/sessions', { agentId });
    expect(session.status).toBe(201);
    // Stored by the ingest, which read the events back from the SASL listener.
    await ingestCaughtUp(api, session.body.id, 'over-sasl');
    const events = await api.get(`/v1/sessions/${session.body.id}/events`);
    expect(events.body.data.map((e: { clientEventId: string }) => e.clientEventId)).toContain(
      'over-sasl',
    );
  }, 120_000);

  it('is refused by the broker with a wrong password', async () => {
    const config = loadServiceConfig('reverie-test', 0, saslEnv('wrong'));
    expect(config.kafka.sasl).toMatchObject({ mechanism: 'plain', password: 'wrong' });
    const admin = createKafka(config.kafka).admin();
    await expect(admin.connect()).rejects.toThrow(/SASL|[Aa]uthentication/);
    await admin.disconnect();
  }, 60_000);
});
