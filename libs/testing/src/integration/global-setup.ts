/**
 * Finds Kafka and MongoDB for the integration tests, in this order:
 *   1. KAFKA_BROKERS and MONGO_URL from the environment (CI and `.ci/run` set them);
 *   2. testcontainers with the official images, when a container runtime answers;
 *   3. the project's own local stack (`scripts/stack.sh up`: Kafka and a MongoDB-wire server
 *      from Maven Central), when Java and Maven are installed;
 * else it stops with one line saying what is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

type Stopper = () => Promise<void>;
const state = globalThis as typeof globalThis & { __reverieStop__?: Stopper };

const repoRoot = join(__dirname, '../../../..');

function fail(message: string): never {
  const error = new Error(message);
  error.stack = message; // one line, no trace: the message says what to do
  throw error;
}

function commandWorks(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

async function startContainers(): Promise<Stopper> {
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  process.stdout.write('\nstarting Kafka and MongoDB with testcontainers...\n');
  const [mongo, kafka] = await Promise.all([
    new MongoDBContainer('mongo:7').start(),
    new KafkaContainer('confluentinc/cp-kafka:7.6.1').withKraft().start(),
  ]);
  process.env.MONGO_URL = `${mongo.getConnectionString()}/?directConnection=true`;
  process.env.KAFKA_BROKERS = `${kafka.getHost()}:${kafka.getMappedPort(9093)}`;
  return async () => {
    await Promise.all([kafka.stop(), mongo.stop()]);
  };
}

function startLocalStack(): Stopper | undefined {
  const script = join(repoRoot, 'scripts/stack.sh');
  // The in-memory MongoDB-wire backend: tests need no durability (the durability specs start
  // their own H2-backed server), and it writes several times faster than H2.
  const env = {
    ...process.env,
    REVERIE_STACK_MODE: 'local',
    MONGO_BACKEND: process.env.MONGO_BACKEND ?? 'memory',
  };
  // A stack that was already running (a developer's) is used and left running afterwards.
  const alreadyRunning =
    spawnSync('bash', [script, 'status'], { cwd: repoRoot, env, stdio: 'ignore' }).status === 0;
  process.stdout.write(
    `\n${alreadyRunning ? 'using' : 'starting'} the local stack (scripts/stack.sh up)...\n`,
  );
  const output = execFileSync('bash', [script, 'up'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
  for (const line of output.split('\n')) {
    const match = /^(KAFKA_BROKERS|MONGO_URL)=(.+)$/.exec(line.trim());
    if (match) process.env[match[1]] = match[2];
  }
  if (!process.env.KAFKA_BROKERS || !process.env.MONGO_URL) {
    fail('scripts/stack.sh up did not print KAFKA_BROKERS and MONGO_URL');
  }
  if (alreadyRunning) return undefined;
  return async () => {
    execFileSync('bash', [script, 'down'], { cwd: repoRoot, env, stdio: 'inherit' });
  };
}

export default async function globalSetup(): Promise<void> {
  if (process.env.KAFKA_BROKERS && process.env.MONGO_URL) return;
  if (process.env.KAFKA_BROKERS || process.env.MONGO_URL) {
    fail('set both KAFKA_BROKERS and MONGO_URL, or neither (to let the tests start a stack)');
  }
  if (commandWorks('docker', ['info'])) {
    state.__reverieStop__ = await startContainers();
    return;
  }
  if (
    existsSync(join(repoRoot, 'scripts/stack.sh')) &&
    commandWorks('java', ['-version']) &&
    commandWorks('mvn', ['-v'])
  ) {
    state.__reverieStop__ = startLocalStack();
    return;
  }
  fail(
    'integration tests need Kafka and MongoDB: set KAFKA_BROKERS and MONGO_URL, start a Docker engine, or install Java 17+ and Maven so scripts/stack.sh can run them',
  );
}
