import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { RunRepository } from '@reverie/orchestration-feature';
import { startService } from '@reverie/service-kit';
import type { Admin } from 'kafkajs';
import type { Connection } from 'mongoose';
import { service as orchestratorService } from '../../apps/orchestrator/src/app.module';
import { loadConfig as loadOrchestratorConfig } from '../../apps/orchestrator/src/config/orchestrator.config';
import { benchServiceEnv, startBenchGateway, type BenchGateway } from './bench-services';
import { startGroupAtEnd } from './bench-stack';
import type { TriageBenchOptions } from './triage-options';

/** Every consumer group whose id holds `runId` (the services' own ones included). */
export async function deleteGroupsOf(admin: Admin, runId: string): Promise<void> {
  const { groups } = await admin.listGroups();
  const ours = groups.map((g) => g.groupId).filter((id) => id.includes(runId));
  if (ours.length) await admin.deleteGroups(ours);
}

/** The real gateway (HTTP, batches, ingest of what the orchestrator publishes), in this process. */
export function startTriageGateway(
  options: TriageBenchOptions,
  admin: Admin,
  db: string,
  groupId: string,
): Promise<BenchGateway> {
  return startBenchGateway(benchServiceEnv(options, db, groupId), admin);
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
      ...benchServiceEnv(options, db, groupId),
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

// Moved to bench-stack (the ingest bench waits for its ingest replica too); kept importable here.
export { waitForMembers } from './bench-stack';

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
