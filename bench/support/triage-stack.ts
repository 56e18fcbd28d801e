import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { RunRepository } from '@reverie/orchestration-feature';
import { startService } from '@reverie/service-kit';
import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { service as orchestratorService } from '../../apps/orchestrator/src/app.module';
import { loadConfig as loadOrchestratorConfig } from '../../apps/orchestrator/src/config/orchestrator.config';
import { gatewayService } from '../../apps/session-gateway/src/app.module';
import {
  loadGatewayConfig,
  type GatewayConfig,
} from '../../apps/session-gateway/src/config/gateway.config';
import { BenchError, startGroupAtEnd } from './bench-stack';
import type { TriageBenchOptions } from './triage-options';

/** Every consumer group whose id holds `runId` (the services' own ones included). */
export async function deleteGroupsOf(admin: Admin, runId: string): Promise<void> {
  const { groups } = await admin.listGroups();
  const ours = groups.map((g) => g.groupId).filter((id) => id.includes(runId));
  if (ours.length) await admin.deleteGroups(ours);
}

function sharedEnv(options: TriageBenchOptions, db: string, groupId: string) {
  return {
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    MONGO_URL: options.mongoUrl,
    MONGO_DB: db,
    KAFKA_GROUP_ID: groupId,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    KAFKA_SESSION_TIMEOUT_MS: '10000',
  };
}

export interface TriageGateway {
  app: INestApplication;
  config: GatewayConfig;
  baseUrl: string;
}

/** The real gateway (HTTP, batches, ingest of what the orchestrator publishes), in this process. */
export async function startTriageGateway(
  options: TriageBenchOptions,
  admin: Admin,
  db: string,
  groupId: string,
): Promise<TriageGateway> {
  const config = loadGatewayConfig(sharedEnv(options, db, groupId));
  await startGroupAtEnd(admin, groupId, TOPICS.sessionEvents);
  const app = await startService(gatewayService, config);
  const baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, config, baseUrl };
}

export interface Replica {
  id: string;
  app: INestApplication;
  runs: RunRepository;
}

/**
 * `count` orchestrator replicas in this process sharing one database and one consumer group
 * (moved to the end of the run-command topic first), as separate deployments would.
 */
export async function startReplicas(
  options: TriageBenchOptions,
  admin: Admin,
  db: string,
  groupId: string,
  ids: string[],
  onStarted: (replica: Replica) => void,
): Promise<Replica[]> {
  await startGroupAtEnd(admin, groupId, TOPICS.runCommands);
  const replicas: Replica[] = [];
  for (const id of ids) {
    const config = loadOrchestratorConfig({
      ...sharedEnv(options, db, groupId),
      RUN_CONCURRENCY: String(options.concurrency),
      REPLICA_ID: id,
      DATASETS_DIR: options.datasetsDir,
    });
    const app = await startService(orchestratorService, config);
    const replica = { id, app, runs: app.get(RunRepository) };
    onStarted(replica);
    replicas.push(replica);
  }
  return replicas;
}

/** Waits until the group is stable with `members` members, so no rebalance moves a run mid-way. */
export async function waitForMembers(
  admin: Admin,
  groupId: string,
  members: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    if (group?.state === 'Stable' && group.members.length === members) return;
    if (performance.now() > deadline) {
      throw new BenchError(
        `consumer group ${groupId} is ${group?.state} with ${group?.members.length} members after ${timeoutMs / 1000}s, expected ${members}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Drops a database through the bench's own connection (the services may be closed already). */
export async function dropDatabase(db: Connection, name: string): Promise<void> {
  await db.useDb(name, { useCache: false }).dropDatabase();
}

/** The orchestrator's own record of a batch: which replica ran each session, and how often. */
export async function replicaSplit(replica: Replica, tenantId: string, batchId: string) {
  const runs = await replica.runs.listByBatch(tenantId, batchId);
  const byReplica: Record<string, number> = {};
  for (const run of runs) {
    const name = run.replica ?? '(none)';
    byReplica[name] = (byReplica[name] ?? 0) + 1;
  }
  return {
    runs: runs.length,
    byReplica,
    retried: runs.filter((r) => r.attempts > 1).length,
    failedReasons: runs.filter((r) => r.status === 'failed').map((r) => r.reason ?? 'unknown'),
  };
}
