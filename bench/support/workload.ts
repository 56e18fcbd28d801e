import {
  SCHEMA_VERSION,
  type SessionEventAppended,
  type SessionEventBody,
} from '@reverie/contracts';
import { sessionEventId } from '@reverie/sessions-domain';
import { someEvents } from '@reverie/testing';

/** A session the bench writes to, as created through the gateway. */
export interface BenchSession {
  tenantId: string;
  agentId: string;
  sessionId: string;
}

/** One request (HTTP) or one producer.send() (raw): a batch of one session's events. */
export interface Batch {
  session: BenchSession;
  events: SessionEventBody[];
}

/** What one client sends, in order. */
export type ClientPlan = Batch[];

/** Splits `total` into `parts` near-equal integers (the first ones get the remainder). */
export function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

/**
 * Deals `total` events to `concurrency` clients, each with its own `sessions` slice. A client
 * alternates between its sessions batch by batch, so several partitions are busy at once.
 */
export function planClients(
  sessions: BenchSession[],
  total: number,
  batchSize: number,
  concurrency: number,
  prefix: string,
): ClientPlan[] {
  const perClient = split(total, concurrency);
  const perSession = Math.ceil(sessions.length / concurrency);
  return perClient.map((count, c) => {
    const own = sessions.slice(c * perSession, (c + 1) * perSession);
    const queues = split(count, own.length).map((n, s) =>
      chunk(someEvents(n, `${prefix}-${c}-${s}`), batchSize),
    );
    return interleave(queues).map(({ index, item }) => ({ session: own[index], events: item }));
  });
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Round-robin over several queues, remembering which queue each item came from. */
function interleave<T>(queues: T[][]): { index: number; item: T }[] {
  const out: { index: number; item: T }[] = [];
  const longest = Math.max(0, ...queues.map((q) => q.length));
  for (let i = 0; i < longest; i++) {
    queues.forEach((q, index) => {
      if (i < q.length) out.push({ index, item: q[i] });
    });
  }
  return out;
}

/**
 * The envelope the gateway publishes for an appended event (see SessionsService.append), so the
 * raw producer sends messages of the same shape and size.
 */
export function toEnvelope(
  session: BenchSession,
  event: SessionEventBody,
  receivedAt: string,
): SessionEventAppended {
  return {
    id: sessionEventId(session.tenantId, session.sessionId, event.clientEventId),
    type: 'session.event_appended',
    tenantId: session.tenantId,
    agentId: session.agentId,
    sessionId: session.sessionId,
    occurredAt: event.occurredAt ?? receivedAt,
    schemaVersion: SCHEMA_VERSION,
    payload: { event, receivedAt },
  };
}

/** Runs every client's plan concurrently, each strictly one step after the other. */
export async function runClients<T>(plans: T[][], step: (item: T) => Promise<void>): Promise<void> {
  await Promise.all(
    plans.map(async (plan) => {
      for (const item of plan) await step(item);
    }),
  );
}
