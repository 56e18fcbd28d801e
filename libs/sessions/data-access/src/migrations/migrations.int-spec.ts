import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import { TelemetryModule } from '@reverie/telemetry';
import { stackEnv, uniqueName } from '@reverie/testing/integration';
import mongoose, { type Connection } from 'mongoose';
import { SessionReader } from '../readers/session.reader';
import { applyMigrations, PendingMigrationError, runMigrationsCommand } from './migrations';
import { SessionsMigrationsModule } from './sessions-migrations.module';
import type { MigrationsMode } from './migrations';

/** Events as a gateway before pages stored them: one document each in session_events. */
const legacyEvents = (sessionId: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    _id: `acme-${sessionId}-${i}`,
    tenantId: 'acme',
    sessionId,
    agentId: 'agt_1',
    seq: i + 1,
    body: { type: 'log', clientEventId: `c${i}`, message: `event ${i}` },
    receivedAt: new Date(),
    storedAt: new Date(),
  }));

/** The gateway's start-up step in each MIGRATIONS mode, against the real server. */
describe('sessions migrations at start-up (MIGRATIONS=run|check|warn)', () => {
  const db = uniqueName('test_migrations');
  let connection: Connection;

  const start = (mode: MigrationsMode) => {
    @Module({
      imports: [
        MongooseModule.forRoot(stackEnv().mongoUrl, { dbName: db }),
        TelemetryModule.forRoot('test'),
        SessionsMigrationsModule.forRoot(mode),
      ],
    })
    class GatewayLikeModule {}
    return NestFactory.createApplicationContext(GatewayLikeModule, {
      logger: false,
      abortOnError: false,
    });
  };
  const seed = (sessionId: string, n: number) =>
    connection
      .collection<Record<string, unknown> & { _id: string }>('session_events')
      .insertMany(legacyEvents(sessionId, n));

  beforeAll(async () => {
    connection = await mongoose.createConnection(stackEnv().mongoUrl, { dbName: db }).asPromise();
  });
  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('check: refuses to start while events wait, naming the command; starts once they moved', async () => {
    await seed('ses_c1', 120);
    await expect(start('check')).rejects.toThrow(
      /120 events in session_events .* wait for the event-page migration and MIGRATIONS=check: run npm run migrate:event-pages/,
    );
    // Nothing moved: the check only counts.
    expect(await connection.collection('session_events').countDocuments()).toBe(120);

    const out: string[] = [];
    const err: string[] = [];
    const code = await runMigrationsCommand(
      { url: stackEnv().mongoUrl, db },
      (l) => out.push(l),
      (l) => err.push(l),
    );
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('\n')).toContain('moved 120 events of 1 sessions into pages');

    const app = await start('check');
    const events = await app.get(SessionReader).events('acme', 'ses_c1');
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    await app.close();
  });

  it('warn: logs what waits and starts; run: migrates at start', async () => {
    await seed('ses_w1', 5);
    const warnings: string[] = [];
    await applyMigrations(connection, 'warn', {
      log: () => undefined,
      warn: (line) => warnings.push(line),
    });
    expect(warnings).toEqual([expect.stringContaining('5 events in session_events wait')]);
    await expect(
      applyMigrations(connection, 'check', { log: () => undefined, warn: () => undefined }),
    ).rejects.toBeInstanceOf(PendingMigrationError);

    const app = await start('run');
    expect((await app.get(SessionReader).events('acme', 'ses_w1')).map((e) => e.seq)).toEqual([
      1, 2, 3, 4, 5,
    ]);
    await app.close();
    // The emptied old collection is dropped.
    const names = await connection.db!.listCollections({}, { nameOnly: true }).toArray();
    expect(names.map((c) => c.name)).not.toContain('session_events');
  });

  it('the command says clearly when MongoDB is not reachable', async () => {
    const err: string[] = [];
    const code = await runMigrationsCommand(
      { url: 'mongodb://127.0.0.1:1', db },
      () => undefined,
      (l) => err.push(l),
    );
    expect(code).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^migrate: MongoDB is not reachable: /)]);
  });
});
