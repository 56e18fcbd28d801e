import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import {
  SCHEMA_VERSION,
  TOPICS,
  type RunRequested,
  type TopicMessage,
  type TopicName,
} from '@reverie/contracts';
import { createProducer, EventPublisher } from '@reverie/kafka';
import { PlaybookCatalog, RunRepository } from '@reverie/orchestration-feature';
import { startService } from '@reverie/service-kit';
import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { serviceEnv, startGroupAtEnd, testKafka, uniqueName } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
import { service } from '../src/app.module';
import { loadConfig, type OrchestratorConfig } from '../src/config/orchestrator.config';

export interface RunningOrchestrator {
  app: INestApplication;
  config: OrchestratorConfig;
  runs: RunRepository;
  catalog: PlaybookCatalog;
  close(): Promise<void>;
}

/** The env of a fresh orchestrator (own database and group) whose group skips older commands and verdicts. */
export async function orchestratorEnv(extra: Record<string, string> = {}) {
  const env = serviceEnv('orchestrator', { PLAYBOOK_CATCH_UP_TIMEOUT_MS: '20000', ...extra });
  await startGroupAtEnd(env.KAFKA_GROUP_ID, TOPICS.runCommands);
  await startGroupAtEnd(env.KAFKA_GROUP_ID, TOPICS.outcomes);
  return env;
}

/** Starts an orchestrator replica on port 0; replicas started from the same env share group and database. */
export async function startOrchestrator(env: Record<string, string>): Promise<RunningOrchestrator> {
  const config = loadConfig(env);
  const app = await startService(service, config);
  return {
    app,
    config,
    runs: app.get(RunRepository),
    catalog: app.get(PlaybookCatalog),
    close: () => app.close(),
  };
}

/** Drops an orchestrator's database (the MongoDB-wire server keeps everything in memory). */
export async function dropDatabase(orchestrator: RunningOrchestrator): Promise<void> {
  await orchestrator.app.get<Connection>(getConnectionToken()).dropDatabase();
}

/** Publishes straight to Kafka through the contract-checking publisher. */
export async function publisher() {
  const producer = createProducer(testKafka());
  await producer.connect();
  const events = new EventPublisher(producer);
  return {
    publish: <T extends TopicName>(topic: T, messages: TopicMessage<T>[]) =>
      events.publish(topic, messages),
    close: () => producer.disconnect(),
  };
}

/** A run command for one dataset case, with full defaults. */
export function aRunCommand(
  to: { tenantId: string; agentId: string },
  caseId: string,
  overrides: Partial<RunRequested['payload']> = {},
): RunRequested {
  const sessionId = uniqueName('ses');
  return {
    id: `run_${sessionId}`,
    type: 'run.requested',
    ...to,
    sessionId,
    occurredAt: new Date().toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      run: { environment: 'ci-log-triage', task: { caseId } },
      agentModel: { provider: 'builtin' },
      ...overrides,
    },
  };
}

/** Stored events as the API returns them (any event kind: specs read any field). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StoredEvent = any;

/** The roles of a lunar team's agent. */
export const LUNAR_ROLES = [{ name: 'commander' }, { name: 'detector' }, { name: 'navigator' }];

/** Creates an agent flown by a lunar team (`LUNAR_ROLES`) for `api`'s tenant; returns its id. */
export async function aLunarTeamAgent(api: ApiClient): Promise<string> {
  const agent = await api.post('/v1/agents', anAgent({ roles: LUNAR_ROLES }));
  if (agent.status !== 201)
    throw new Error(`creating the agent failed: ${JSON.stringify(agent.body)}`);
  return agent.body.id;
}

/** The session once it has ended, read over the API (a managed session the orchestrator runs). */
export function endedSession(api: ApiClient, id: string, timeoutMs = 90_000) {
  return expectEventually(
    async () => {
      const s = (await api.get(`/v1/sessions/${id}`)).body;
      if (!s?.endedAt) throw new Error(`session ${id} has not ended: ${JSON.stringify(s)}`);
      return s;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** Resolves once `groupId` has committed offsets up to the end of every partition of `topic`. */
export async function groupCaughtUp(groupId: string, topic: TopicName): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const { partition, high } of ends) {
      const at = committed.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
      if (BigInt(at) < BigInt(high))
        throw new Error(`${groupId} is at ${at} of ${high} on ${topic}[${partition}]`);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Resolves once `groupId` is stable with `members` members (each has its partitions). */
export async function groupHasMembers(groupId: string, members: number): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (group?.state !== 'Stable' || group.members.length !== members)
      throw new Error(`group ${groupId} is ${group?.state} with ${group?.members.length} members`);
  } finally {
    await admin.disconnect();
  }
}

export { randomUUID };
