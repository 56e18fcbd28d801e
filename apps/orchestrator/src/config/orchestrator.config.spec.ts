import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@reverie/service-kit';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { loadConfig } from './orchestrator.config';

const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };

it('orchestrator listens on 3001 unless PORT says otherwise', () => {
  expect(loadConfig(env)).toMatchObject({
    service: 'orchestrator',
    port: 3001,
    kafka: { groupId: 'reverie-orchestrator' },
  });
  expect(loadConfig({ ...env, PORT: '8080' }).port).toBe(8080);
});

it('runs 4 sessions at once by default, finds the bundled datasets in the repository, and names each replica', () => {
  const config = loadConfig(env);
  expect(config.runConcurrency).toBe(4);
  expect(config.datasetsDir).toBe(BUNDLED_DATASETS_DIR);
  expect(existsSync(join(config.datasetsDir, 'ci-breakages'))).toBe(true);
  expect(config.anthropic).toBeUndefined();
  expect(loadConfig(env).replicaId).not.toBe(config.replicaId);
  expect(
    loadConfig({
      ...env,
      RUN_CONCURRENCY: '16',
      DATASETS_DIR: '/data/sets',
      REPLICA_ID: 'orch-1',
      ANTHROPIC_API_KEY: 'sk-test',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9999',
    }),
  ).toMatchObject({
    runConcurrency: 16,
    datasetsDir: '/data/sets',
    replicaId: 'orch-1',
    anthropic: { apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9999' },
  });
});

it('names each bad variable', () => {
  expect(() => loadConfig({ ...env, RUN_CONCURRENCY: '0', ANTHROPIC_BASE_URL: 'nope' })).toThrow(
    ConfigError,
  );
  expect(() => loadConfig({ ...env, RUN_CONCURRENCY: '0' })).toThrow(/RUN_CONCURRENCY/);
});

it("publishes each step's events as one message by default; EVENT_MESSAGES=single one each", () => {
  expect(loadConfig(env).eventMessages).toBe('batch');
  expect(loadConfig({ ...env, EVENT_MESSAGES: 'single' }).eventMessages).toBe('single');
  expect(() => loadConfig({ ...env, EVENT_MESSAGES: 'many' })).toThrow(/EVENT_MESSAGES/);
});
