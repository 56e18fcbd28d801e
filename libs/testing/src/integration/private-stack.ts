import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../free-ports';
import { stackEnv } from './test-stack';

const run = promisify(execFile);
const repoRoot = join(__dirname, '../../../..');
const script = join(repoRoot, 'scripts/stack.sh');

export type StackService = 'kafka' | 'mongo';

export interface PrivateStackOptions {
  /**
   * Also run an own Kafka broker (default true). Without one, `kafkaBrokers` is the shared test
   * broker (and `kafka` cannot be stopped).
   */
  kafka?: boolean;
  /** `h2` keeps MongoDB's data across a stop and start (the default of the stack); `memory` does not. */
  mongoBackend?: 'h2' | 'memory';
  /**
   * Also a SASL_PLAINTEXT listener on its own broker (`saslBrokers`; mechanism PLAIN, user
   * `reverie`, password `reverie-local`: the stack's KAFKA_SASL_PORT).
   */
  sasl?: boolean;
}

/** The credentials of a private stack's SASL listener (`sasl: true`). */
export const PRIVATE_STACK_SASL = { username: 'reverie', password: 'reverie-local' } as const;

/**
 * A Kafka broker and a MongoDB-wire server of a test file's own, started with
 * `scripts/stack.sh` (local mode: needs Java and Maven) on free ports, in a temporary
 * REVERIE_STACK_DIR, so a test can stop, kill and start them without disturbing other tests.
 * Each operation returns once the script has finished: `start` once the service answers.
 */
export interface PrivateStack {
  kafkaBrokers: string;
  /** The SASL listener (`sasl: true`), else undefined. */
  saslBrokers?: string;
  mongoUrl: string;
  /** `scripts/stack.sh stop <service>`: a clean stop, data kept. */
  stop(service: StackService): Promise<void>;
  /** `scripts/stack.sh kill <service>`: SIGKILL, as a crash. */
  kill(service: StackService): Promise<void>;
  /** `scripts/stack.sh start <service>`: waits until it answers. */
  start(service: StackService): Promise<void>;
  /** `scripts/stack.sh down --clean`: stops everything and wipes the data. */
  down(): Promise<void>;
}

/** Starts a private stack; call `down()` in afterAll. Allow a minute or two (JVMs start). */
export async function startPrivateStack(options: PrivateStackOptions = {}): Promise<PrivateStack> {
  const withKafka = options.kafka ?? true;
  const [kafkaPort, controllerPort, mongoPort, saslPort] = await freePorts(4);
  const env = {
    ...process.env,
    REVERIE_STACK_MODE: 'local',
    REVERIE_STACK_DIR: mkdtempSync(join(tmpdir(), 'reverie-private-stack-')),
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    MONGO_PORT: String(mongoPort),
    MONGO_BACKEND: options.mongoBackend ?? 'h2',
    ...(options.sasl ? { KAFKA_SASL_PORT: String(saslPort) } : {}),
  };
  // Async, never execFileSync: a service under test runs in this process and must keep serving.
  const stack = async (...args: string[]) => {
    try {
      return (await run('bash', [script, ...args], { cwd: repoRoot, env })).stdout;
    } catch (err) {
      const { stderr } = err as { stderr?: string };
      throw new Error(`scripts/stack.sh ${args.join(' ')} failed: ${stderr?.trim() ?? err}`);
    }
  };
  if (withKafka) await stack('up');
  else await stack('start', 'mongo');
  const ownKafka = (service: StackService) => {
    if (service === 'kafka' && !withKafka) {
      throw new Error('this private stack uses the shared broker; start it with { kafka: true }');
    }
  };
  return {
    kafkaBrokers: withKafka ? `127.0.0.1:${kafkaPort}` : stackEnv().kafkaBrokers,
    ...(options.sasl && withKafka ? { saslBrokers: `127.0.0.1:${saslPort}` } : {}),
    mongoUrl: `mongodb://127.0.0.1:${mongoPort}`,
    stop: async (service) => {
      ownKafka(service);
      await stack('stop', service);
    },
    kill: async (service) => {
      ownKafka(service);
      await stack('kill', service);
    },
    start: async (service) => {
      ownKafka(service);
      await stack('start', service);
    },
    down: async () => {
      await stack('down', '--clean');
    },
  };
}
