import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { startService } from '@reverie/service-kit';
import { createApiKey } from '@reverie/sessions-feature';
import type { Admin } from 'kafkajs';
import { service as graderService } from '../../apps/outcome-grader/src/app.module';
import {
  loadConfig as loadGraderConfig,
  type OutcomeGraderConfig,
} from '../../apps/outcome-grader/src/config/outcome-grader.config';
import { benchServiceEnv, startBenchGateway, type BenchGateway } from './bench-services';
import { BenchError, startGroupAtEnd } from './bench-stack';
import type { GradeBenchOptions } from './grade-options';

/** The real gateway (HTTP + ingest consumer) in this process, its group at the topic's end. */
export function startGradeGateway(
  options: GradeBenchOptions,
  admin: Admin,
  db: string,
  groupId: string,
): Promise<BenchGateway> {
  return startBenchGateway(benchServiceEnv(options, db, groupId, options.logLevel), admin);
}

export interface BenchGrader {
  app: INestApplication;
  config: OutcomeGraderConfig;
}

/**
 * One real outcome-grader in this process, reading the gateway's database (as the deployed one
 * does), its group moved to the end of both topics it consumes so it grades only this run's
 * sessions. No Anthropic key: the rubric has no judged criteria.
 */
export async function startBenchGrader(
  options: GradeBenchOptions,
  admin: Admin,
  db: string,
  groupId: string,
): Promise<BenchGrader> {
  const config = loadGraderConfig({
    ...benchServiceEnv(options, db, groupId, options.logLevel),
    ...(options.concurrency === undefined
      ? {}
      : { GRADE_CONCURRENCY: String(options.concurrency) }),
  });
  await startGroupAtEnd(admin, groupId, TOPICS.sessionEvents);
  await startGroupAtEnd(admin, groupId, TOPICS.outcomeCommands);
  const app = await startService(graderService, config);
  return { app, config };
}

/** What the gateway's REST API answers; anything else is a one-line error. */
async function call<T>(
  baseUrl: string,
  token: string,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': token },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new BenchError(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

export interface GradeClient {
  tenantId: string;
  agentId: string;
  /** The version of the outcome definition the grader grades against. */
  definitionVersion: number;
}

/**
 * An API key (made in MongoDB, as `npm run api-key` does: the API has no key endpoint), a builtin
 * agent and its outcome definition, both over HTTP as a user would.
 */
export async function gradeClient(
  gateway: BenchGateway,
  tenantId: string,
  rubric: unknown,
): Promise<GradeClient> {
  const { token } = await createApiKey(gateway.config.mongo, tenantId, 'bench');
  const agent = await call<{ id: string }>(gateway.baseUrl, token, 'POST', '/v1/agents', {
    name: 'bench-lunar-lander',
    model: { provider: 'builtin' },
  });
  const defined = await call<{ version: number }>(
    gateway.baseUrl,
    token,
    'PUT',
    `/v1/agents/${agent.id}/outcome`,
    rubric,
  );
  return { tenantId, agentId: agent.id, definitionVersion: defined.version };
}

/**
 * Waits until `groupId` has committed the end of every partition of `topic`: the consumer has
 * read (and, for the grader, skipped) everything published so far.
 */
export async function waitCaughtUp(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const [ends, [committed]] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const at = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    const lag = ends.reduce(
      (sum, e) => sum + Math.max(0, Number(e.high) - (at.get(e.partition) ?? 0)),
      0,
    );
    if (lag === 0) return;
    if (performance.now() > deadline) {
      throw new BenchError(
        `consumer group ${groupId} is still ${lag} messages behind on ${topic} after ${timeoutMs / 1000}s`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
