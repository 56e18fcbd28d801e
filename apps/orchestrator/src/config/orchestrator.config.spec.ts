import { loadConfig } from './orchestrator.config';

it('orchestrator listens on 3001 unless PORT says otherwise', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  expect(loadConfig(env)).toMatchObject({
    service: 'orchestrator',
    port: 3001,
    kafka: { groupId: 'reverie-orchestrator' },
  });
  expect(loadConfig({ ...env, PORT: '8080' }).port).toBe(8080);
});
