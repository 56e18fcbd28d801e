import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { loadConfig } from './outcome-grader.config';

it('outcome-grader listens on 3002 unless PORT says otherwise', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  expect(loadConfig(env)).toMatchObject({
    service: 'outcome-grader',
    port: 3002,
    kafka: { groupId: 'reverie-outcome-grader' },
  });
  expect(loadConfig({ ...env, PORT: '8080' }).port).toBe(8080);
});

it('grades 8 sessions at once by default and finds the bundled datasets in the repository', () => {
  const env = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };
  const config = loadConfig(env);
  expect(config).toMatchObject({ gradeConcurrency: 8, readAttempts: 10 });
  expect(config.datasetsDir).toBe(BUNDLED_DATASETS_DIR);
  expect(existsSync(join(config.datasetsDir, 'ci-breakages'))).toBe(true);
  expect(config.anthropic).toBeUndefined();
  expect(() => loadConfig({ ...env, GRADE_READ_ATTEMPTS: '0' })).toThrow(/GRADE_READ_ATTEMPTS/);
});
