import type { Connection } from 'mongoose';
import type { RawTiming } from './report';
import { runClients, toEnvelope, type ClientPlan } from './workload';

/**
 * The store's own limit: the same events as one document each (the layout before pages, unique
 * index on tenant, session and seq, as ingest needed), `insertMany` one client batch at a time
 * with the bench's concurrency, into a scratch collection of the same server.
 */
export async function insertManyAll(
  db: Connection,
  collectionName: string,
  plans: ClientPlan[],
): Promise<RawTiming> {
  const collection = db.collection(collectionName);
  await collection.createIndex({ tenantId: 1, sessionId: 1, seq: 1 }, { unique: true });
  const receivedAt = new Date();
  const seqs = new Map<string, number>();
  const docs = plans.map((plan) =>
    plan.map((batch) =>
      batch.events.map((event) => {
        const envelope = toEnvelope(batch.session, event, receivedAt.toISOString());
        const seq = (seqs.get(batch.session.sessionId) ?? 0) + 1;
        seqs.set(batch.session.sessionId, seq);
        return {
          _id: envelope.id,
          tenantId: envelope.tenantId,
          sessionId: envelope.sessionId,
          agentId: envelope.agentId,
          seq,
          clientEventId: event.clientEventId,
          type: event.type,
          body: event,
          receivedAt,
          storedAt: receivedAt,
        };
      }),
    ),
  );
  const events = docs.flat(2).length;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await runClients(docs, async (batch) => {
    await collection.insertMany(batch as never[], { ordered: true });
  });
  const ackMs = performance.now() - start;
  const { user, system } = process.cpuUsage(cpuStart);
  return { events, sends: docs.flat().length, ackMs, cpuMs: (user + system) / 1_000 };
}
