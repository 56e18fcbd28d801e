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
  expect(loadConfig(env).flightWorkers).toBe(1);
  expect(loadConfig({ ...env, DREAM_FLIGHT_WORKERS: '3' }).flightWorkers).toBe(3);
  expect(() => loadConfig({ ...env, DREAM_FLIGHT_WORKERS: '0' })).toThrow(/DREAM_FLIGHT_WORKERS/);
});

it('dreamer reads the webhook allow-list and concurrency, refusing entries it cannot read', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  expect(loadConfig(env).webhooks).toMatchObject({
    allowedHosts: [],
    concurrency: 16,
    perSubscriptionConcurrency: 2,
  });
  expect(
    loadConfig({ ...env, WEBHOOK_ALLOWED_HOSTS: ' 127.0.0.1, localhost ,10.1.0.0/16' }).webhooks
      .allowedHosts,
  ).toEqual(['127.0.0.1', 'localhost', '10.1.0.0/16']);
  expect(() => loadConfig({ ...env, WEBHOOK_ALLOWED_HOSTS: '10.0.0.0/40' })).toThrow(
    /WEBHOOK_ALLOWED_HOSTS "10.0.0.0\/40" is not an address or a CIDR/,
  );
});

it('dreamer reads the canary trial bounds, refusing a pair bound below the discordant one', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  expect(loadConfig(env).trials?.sprt).toMatchObject({ maxDiscordant: 60, maxPairs: 300 });
  expect(loadConfig({ ...env, TRIAL_MAX_PAIRS: '1000' }).trials?.sprt?.maxPairs).toBe(1000);
  expect(() => loadConfig({ ...env, TRIAL_MAX_PAIRS: '0' })).toThrow(/TRIAL_MAX_PAIRS/);
  expect(() => loadConfig({ ...env, TRIAL_MAX_PAIRS: '40' })).toThrow(
    /TRIAL_MAX_PAIRS \(40\) must be at least TRIAL_MAX_DISCORDANT \(60\)/,
  );
});
