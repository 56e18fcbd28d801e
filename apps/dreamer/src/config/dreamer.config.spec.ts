import { loadConfig } from './dreamer.config';

it('dreamer listens on 3003 unless PORT says otherwise', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  expect(loadConfig(env)).toMatchObject({
    service: 'dreamer',
    port: 3003,
    kafka: { groupId: 'reverie-dreamer' },
  });
  expect(loadConfig({ ...env, PORT: '8080' }).port).toBe(8080);
});

it('dreamer reads its dream limits, with defaults', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  expect(loadConfig(env)).toMatchObject({ concurrency: 1, maxSimulations: 3000, maxAttempts: 3 });
  expect(loadConfig({ ...env, DREAM_MAX_SIMULATIONS: '500' }).maxSimulations).toBe(500);
  expect(() => loadConfig({ ...env, DREAM_CONCURRENCY: '0' })).toThrow(/DREAM_CONCURRENCY/);
});
