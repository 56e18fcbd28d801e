import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EVENT_MESSAGE_FORMS, type EventMessages } from '@reverie/kafka';
import {
  anthropicEnvShape,
  anthropicFrom,
  datasetsDirFrom,
  datasetsEnvShape,
  envInt,
  parseEnv,
  serviceEnvSchema,
  toServiceConfig,
  type ServiceConfig,
} from '@reverie/service-kit';
import { z } from 'zod';

const orchestratorEnvSchema = serviceEnvSchema.extend({
  PORT: envInt(0, 65_535).default(3001),
  /** Sessions one replica runs at once. */
  RUN_CONCURRENCY: envInt(1, 1_000).default(4),
  ...datasetsEnvShape,
  /** Names this replica in the runs collection; default: host, pid and a random suffix. */
  REPLICA_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'may contain only letters, digits and _ . : -')
    .optional(),
  MAX_MODEL_TURNS: envInt(1, 200).default(20),
  PLAYBOOK_CATCH_UP_TIMEOUT_MS: envInt(0, 600_000).default(30_000),
  /** How often the replica reads whether its runs' sessions ended (a client's end stops the run). */
  SESSION_WATCH_MS: envInt(100, 600_000).default(5_000),
  /**
   * How a managed session's events go to Kafka, as the gateway's: `batch`, the events of each
   * step as one `session.events_appended`; `single`, one `session.event_appended` per event, for
   * ingest consumers of a version that does not read `session.events_appended` yet.
   */
  EVENT_MESSAGES: z.enum(EVENT_MESSAGE_FORMS).default('batch'),
  ...anthropicEnvShape,
});

export interface OrchestratorConfig extends ServiceConfig {
  replicaId: string;
  runConcurrency: number;
  datasetsDir: string;
  maxModelTurns: number;
  playbookCatchUpTimeoutMs: number;
  sessionWatchMs: number;
  eventMessages: EventMessages;
  anthropic?: { apiKey: string; baseURL?: string };
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): OrchestratorConfig {
  const parsed = parseEnv(orchestratorEnvSchema, env);
  return {
    ...toServiceConfig('orchestrator', parsed.PORT, parsed),
    replicaId:
      parsed.REPLICA_ID ??
      `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`.replace(
        /[^A-Za-z0-9_.:-]/g,
        '_',
      ),
    runConcurrency: parsed.RUN_CONCURRENCY,
    datasetsDir: datasetsDirFrom(parsed),
    maxModelTurns: parsed.MAX_MODEL_TURNS,
    playbookCatchUpTimeoutMs: parsed.PLAYBOOK_CATCH_UP_TIMEOUT_MS,
    sessionWatchMs: parsed.SESSION_WATCH_MS,
    eventMessages: parsed.EVENT_MESSAGES,
    ...anthropicFrom(parsed),
  };
}
