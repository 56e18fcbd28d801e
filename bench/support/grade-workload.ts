import {
  deadLetterTopic,
  eventAppended,
  SCHEMA_VERSION,
  sessionEventId,
  TOPICS,
  type RunSpec,
  type SessionEventBody,
  type SessionTopicMessage,
} from '@reverie/contracts';
import type { EventPublisher } from '@reverie/kafka';
import { BuiltinLunarTeam, flyLanding, scenarioFor } from '@reverie/lunar-lander';
import type { SessionRepository } from '@reverie/sessions-data-access';
import { newIds } from '@reverie/sessions-domain';
import type { Connection } from 'mongoose';
import { BenchError } from './bench-stack';
import { runClients } from './workload';

/** The landing every session replays: the first scenario of the bundled `easy` family. */
export const LANDING_FAMILY = 'easy';
export const LANDING_INDEX = 0;
export const LANDING_RUN: RunSpec = {
  environment: 'lunar-lander',
  task: { family: LANDING_FAMILY, index: LANDING_INDEX },
};

/**
 * Six deterministic criteria (no judge): the gear limits, fuel left, and bounds on steps and
 * tokens. The builtin team's landing on easy #0 passes them all, so every verdict is `satisfied`.
 */
export const LANDING_RUBRIC = {
  description: 'Land on the Moon within the gear limits, with fuel, steps and tokens to spare',
  environment: 'lunar-lander',
  maxIterations: 1,
  criteria: [
    {
      id: 'soft',
      kind: 'bound',
      path: 'touchdown.vertical_speed',
      op: 'lte',
      value: 3,
      required: true,
    },
    {
      id: 'no-skid',
      kind: 'bound',
      path: 'touchdown.horizontal_speed',
      op: 'lte',
      value: 1.2,
      required: true,
    },
    {
      id: 'upright',
      kind: 'bound',
      path: 'touchdown.tilt_deg',
      op: 'lte',
      value: 6,
      required: true,
    },
    { id: 'fuel-left', kind: 'bound', path: 'fuel.left', op: 'gt', value: 0, required: true },
    { id: 'steps', kind: 'step_limit', maxSteps: 200 },
    { id: 'tokens', kind: 'token_budget', maxTokens: 100_000 },
  ],
};

/** The events of one real landing (the builtin team on easy #0), flown in this process. */
export async function landingEvents(): Promise<SessionEventBody[]> {
  const events: SessionEventBody[] = [];
  await flyLanding(scenarioFor(LANDING_FAMILY, LANDING_INDEX), new BuiltinLunarTeam(), {
    onEvents: (batch) => {
      events.push(...batch);
    },
  });
  if (events.length === 0) throw new BenchError('the landing produced no events');
  return events;
}

export interface SessionRef {
  tenantId: string;
  agentId: string;
  sessionId: string;
}

/** `count` new session ids of the agent, in creation order. */
export function newSessions(tenantId: string, agentId: string, count: number): SessionRef[] {
  return newIds('ses', count).map((sessionId) => ({ tenantId, agentId, sessionId }));
}

/**
 * Stores the sessions as the gateway does for `POST /v1/sessions` with a run (running, managed,
 * with the run), through its own repository, but sends no run command: this process plays the
 * orchestrator. The grader takes a session's environment from its stored run; without one a
 * session is `external` and the lander criteria could not be graded.
 */
export async function storeManaged(repo: SessionRepository, refs: SessionRef[]): Promise<void> {
  const now = new Date();
  for (let i = 0; i < refs.length; i += 500) {
    const chunk = refs.slice(i, i + 500);
    await repo.insertManaged(
      chunk[0].tenantId,
      chunk.map((r) => ({
        _id: r.sessionId,
        agentId: r.agentId,
        title: `lunar landing ${LANDING_FAMILY}-${LANDING_INDEX}`,
        run: LANDING_RUN,
      })),
      now,
    );
  }
}

// Lifecycle ids as the orchestrator derives them (stable per session).
const lifecycleId = (to: SessionRef, what: string) =>
  sessionEventId(to.tenantId, to.sessionId, `lifecycle:${what}`);

/** What the orchestrator publishes when a managed session starts, then the landing's events. */
export function startedWithEvents(
  to: SessionRef,
  events: SessionEventBody[],
  at: Date,
): SessionTopicMessage[] {
  const started: SessionTopicMessage = {
    id: lifecycleId(to, 'started'),
    type: 'session.started',
    ...to,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      source: 'managed',
      title: `lunar landing ${LANDING_FAMILY}-${LANDING_INDEX}`,
      playbook: null,
    },
  };
  const receivedAt = at.toISOString();
  return [started, ...events.map((e) => eventAppended(to, e, receivedAt))];
}

export function ended(to: SessionRef, at: Date): SessionTopicMessage {
  return {
    id: lifecycleId(to, 'ended'),
    type: 'session.ended',
    ...to,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: { status: 'completed' },
  };
}

/**
 * Publishes every session's start and events (not its end), `loaders` sessions at a time, one
 * send per session; calls `onSent` with the events each send carried.
 */
export async function publishSessions(
  publisher: EventPublisher,
  refs: SessionRef[],
  events: SessionEventBody[],
  loaders: number,
  onSent: (events: number) => void,
): Promise<void> {
  const plans: SessionRef[][] = Array.from({ length: loaders }, () => []);
  refs.forEach((ref, i) => plans[i % loaders].push(ref));
  await runClients(plans, async (ref) => {
    await publisher.publish(TOPICS.sessionEvents, startedWithEvents(ref, events, new Date()));
    onSent(events.length);
  });
}

/** Publishes every session's end, 500 per send. */
export async function publishEnds(publisher: EventPublisher, refs: SessionRef[]): Promise<void> {
  const at = new Date();
  for (let i = 0; i < refs.length; i += 500) {
    await publisher.publish(
      TOPICS.sessionEvents,
      refs.slice(i, i + 500).map((ref) => ended(ref, at)),
    );
  }
}

/** Outcomes stored for the tenant (the grader's `outcomes` collection). */
export function outcomeCount(db: Connection, tenantId: string): Promise<number> {
  return db.collection('outcomes').countDocuments({ tenantId });
}

/** Ended sessions of the tenant (what the gateway stored from `session.ended`). */
export function endedCount(db: Connection, tenantId: string): Promise<number> {
  return db.collection('sessions').countDocuments({ tenantId, status: { $ne: 'running' } });
}

/** Verdicts of these sessions by result (`satisfied`: 500); sessions with no outcome left out. */
export async function resultsOf(
  db: Connection,
  tenantId: string,
  sessionIds: string[],
): Promise<{ results: Record<string, number>; firstSummary?: string }> {
  const rows = await db
    .collection<{ sessionId: string; result: string; summary?: string }>('outcomes')
    .find({ tenantId, sessionId: { $in: sessionIds } }, { projection: { result: 1, summary: 1 } })
    .toArray();
  const results: Record<string, number> = {};
  for (const row of rows) results[row.result] = (results[row.result] ?? 0) + 1;
  const odd = rows.find((r) => r.result !== 'satisfied');
  return { results, ...(odd?.summary ? { firstSummary: odd.summary } : {}) };
}

export interface GradedTiming {
  /** From just before the ends were published until a poll saw every outcome stored. */
  ms: number;
  /** ...until a poll saw every end stored by the gateway (the grader may wait for those). */
  endsStoredMs: number;
}

/**
 * Share of the time elapsed so far that the next poll waits (at least `pollMs`). Each poll counts
 * every session and outcome of the tenant, a scan on the embedded server that holds its
 * collection (the grader and the ingest wait for it): at a fixed 100 ms, a 5,000-session phase
 * paid thousands of scans of a store five times larger than a 1,000-session one. This way a phase
 * polls about as often at any size, and the time it reports is at most 2 % late.
 */
const POLL_SHARE = 0.02;

/**
 * Polls MongoDB until the tenant holds `baseline + count` outcomes; the clock runs from `start`
 * (taken just before the ends were published) to the first poll that saw them all.
 */
export async function waitGraded(
  db: Connection,
  tenantId: string,
  baseline: { outcomes: number; ended: number },
  count: number,
  start: number,
  options: { timeoutMs: number; pollMs: number },
  onPoll: (graded: number, ended: number) => void,
): Promise<GradedTiming> {
  const deadline = start + options.timeoutMs;
  let endsStoredMs: number | undefined;
  for (;;) {
    const [outcomes, ends] = await Promise.all([
      outcomeCount(db, tenantId),
      endsStoredMs === undefined ? endedCount(db, tenantId) : Promise.resolve(-1),
    ]);
    const now = performance.now();
    const graded = outcomes - baseline.outcomes;
    const endedNow = ends < 0 ? count : ends - baseline.ended;
    if (endsStoredMs === undefined && endedNow >= count) endsStoredMs = now - start;
    onPoll(graded, endedNow);
    if (graded >= count) return { ms: now - start, endsStoredMs: endsStoredMs ?? now - start };
    if (now > deadline) {
      throw new BenchError(
        `only ${graded}/${count} sessions graded after ${options.timeoutMs / 1000}s (${endedNow}/${count} ends stored by the gateway); raise --timeout, or look for dead-lettered ends on ${deadLetterTopic(TOPICS.sessionEvents)}`,
      );
    }
    const wait = Math.max(options.pollMs, (now - start) * POLL_SHARE);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
