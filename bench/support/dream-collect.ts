import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import type { CollectedSession } from '@reverie/dreaming-feature';
import { planPageWrites, type SessionLog } from '@reverie/sessions-data-access';
import { SessionReader, SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import type { Connection } from 'mongoose';

const TENANT = 'bench';

/**
 * The dream's collect stage against a real MongoDB-wire server, as DreamPipeline runs it: the
 * agent's ended sessions after the review cursor (`SessionReader.endedForReview`, index on
 * tenant, agent, end time), then their events narrowed by the environment's filter
 * (`SessionReader.eventsOf`: pages by `_id`). Every size stores its sessions under an agent of its
 * own in one database that keeps growing, so a later collect runs over a store that holds every
 * earlier size's sessions too (what it costs must follow what it reads, not what is stored).
 */
export class CollectStore {
  private constructor(
    private readonly app: INestApplicationContext,
    private readonly db: Connection,
    private readonly reader: SessionReader,
  ) {}

  static async open(mongoUrl: string): Promise<CollectStore> {
    const dbName = `bench_dream_${Date.now().toString(36)}`;
    @Module({
      imports: [
        MongooseModule.forRoot(mongoUrl, { dbName, serverSelectionTimeoutMS: 5_000 }),
        SessionsReadersModule,
      ],
    })
    class CollectModule {}
    const app = await NestFactory.createApplicationContext(CollectModule, { logger: false });
    const db = app.get<Connection>(getConnectionToken());
    // The index the review query uses, as the owner's schema declares it (session.schema.ts).
    await db.collection('sessions').createIndex({ tenantId: 1, agentId: 1, endedAt: 1, _id: 1 });
    return new CollectStore(app, db, app.get(SessionReader));
  }

  /** Stores `sessions` under `agentId` as the gateway would: session documents and event pages. */
  async store(agentId: string, sessions: readonly CollectedSession[]): Promise<number> {
    let events = 0;
    for (let i = 0; i < sessions.length; i += 100) {
      const chunk = sessions.slice(i, i + 100);
      const at = new Date();
      await this.db.collection('sessions').insertMany(
        chunk.map((s, j) => ({
          ...s.session,
          _id: `${agentId}_${s.session._id}`,
          tenantId: TENANT,
          agentId,
          // Distinct end times, in order, as real sessions have.
          endedAt: new Date(Date.UTC(2026, 10, 22) + (i + j) * 1_000),
          lastSeq: s.events.length,
          title: 'bench',
          metadata: {},
          createdAt: at,
          updatedAt: at,
        })) as never[],
      );
      const pages = chunk.flatMap((s) => {
        const sessionId = `${agentId}_${s.session._id}`;
        const log: SessionLog = {
          tenantId: TENANT,
          sessionId,
          lastSeq: 0,
          ids: new Set(),
          tail: null,
        };
        events += s.events.length;
        return planPageWrites(
          log,
          agentId,
          s.events.map((body, k) => ({
            event: { _id: `msg_${sessionId}_${k}`, seq: k + 1, body, receivedAt: at, storedAt: at },
            bytes: JSON.stringify(body).length,
          })),
        ).inserts;
      });
      if (pages.length)
        await this.db.collection('session_event_pages').insertMany(pages as never[]);
    }
    return events;
  }

  /** One collect, timed: the review query, then the events through the environment's filter. */
  async collect(
    agentId: string,
    limit: number,
    eventFilter: Record<string, unknown>,
  ): Promise<{ ms: number; sessions: number; events: number }> {
    const start = performance.now();
    const sessions = await this.reader.endedForReview(TENANT, agentId, { after: null, limit });
    const events = await this.reader.eventsOf(
      TENANT,
      sessions.map((s) => s._id),
      eventFilter,
    );
    return {
      ms: Math.round(performance.now() - start),
      sessions: sessions.length,
      events: events.length,
    };
  }

  async close(): Promise<void> {
    await this.db.dropDatabase().catch(() => undefined);
    await this.app.close();
  }
}
