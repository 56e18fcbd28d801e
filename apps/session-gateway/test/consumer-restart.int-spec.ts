import { TOPICS } from '@reverie/contracts';
import { expectEventually, someEvents, type ApiClient } from '@reverie/testing';
import { testKafka } from '@reverie/testing/integration';
import {
  anAgentWithSession,
  readAllEvents,
  startGateway,
  startReplica,
  type RunningGateway,
} from './gateway.harness';

/**
 * An HTTP-only gateway keeps accepting events while the ingest consumer is down; a new consumer
 * in the same group picks up where the old one committed, and even a full replay of the topic
 * (offsets lost) stores nothing twice.
 */
describe('ingest consumer restart', () => {
  let http: RunningGateway;
  let api: ApiClient;

  beforeAll(async () => {
    http = await startGateway({ INGEST_ENABLED: 'false' });
    api = await http.tenant();
  });
  afterAll(() => http.close());

  const consumer = () => startReplica(http.config, { ingestEnabled: true, port: 0 });

  it('loses nothing and duplicates nothing across a restart and a replay', async () => {
    const { sessionId } = await anAgentWithSession(api);
    const admin = testKafka().admin();
    await admin.connect();
    const before = (await admin.fetchTopicOffsets(TOPICS.sessionEvents)).map(
      ({ partition, high }) => ({ partition, offset: high }),
    );
    const events = someEvents(600, 'r');
    const send = (from: number, to: number) =>
      api.post(`/v1/sessions/${sessionId}/events`, { events: events.slice(from, to) });

    let ingest = await consumer();
    expect((await send(0, 200)).status).toBe(202);
    await expectEventually(async () =>
      expect(await readAllEvents(api, sessionId)).toHaveLength(200),
    );
    await ingest.close();

    // Accepted while no consumer runs.
    expect((await send(200, 400)).status).toBe(202);
    expect((await api.get(`/v1/sessions/${sessionId}`)).body.eventCount).toBe(200);

    ingest = await consumer();
    await expectEventually(async () =>
      expect(await readAllEvents(api, sessionId)).toHaveLength(400),
    );
    await ingest.close();

    // Offsets lost: the group goes back to where this test began and sees everything again.
    await admin.setOffsets({
      groupId: http.config.kafka.groupId,
      topic: TOPICS.sessionEvents,
      partitions: before,
    });
    await admin.disconnect();
    expect((await send(400, 600)).status).toBe(202);

    ingest = await consumer();
    const stored = await expectEventually(async () => {
      const all = await readAllEvents(api, sessionId);
      expect(all).toHaveLength(600);
      return all;
    });
    await ingest.close();
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    expect(stored.map((e) => e.clientEventId)).toEqual(events.map((e) => e.clientEventId));
  });
});
