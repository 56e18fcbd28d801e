import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCHEMA_VERSION, sessionEventId, TOPICS } from '@reverie/contracts';
import { anAgent, expectEventually, someEvents, type ApiClient } from '@reverie/testing';
import { describeWithJava, stackEnv, uniqueName } from '@reverie/testing/integration';
import Ajv2020 from 'ajv/dist/2020';
import { consoleProduce } from './kafka-console-producer';
import { readAllEvents, startGateway, tapTopic, type RunningGateway } from './gateway.harness';

// The event contract in practice: a producer that is not Node (Kafka's own console producer, a
// JVM process) publishes a whole session straight to reverie.sessions.events.v1 with the key and
// headers docs/asyncapi.yaml documents, and the gateway stores it exactly as it stores the same
// session sent over its REST API.

const REPO_ROOT = resolve(__dirname, '../../..');
const SCHEMAS = join(REPO_ROOT, 'docs/schemas', TOPICS.sessionEvents);

/** The session event id as the README documents it, written out without the contracts lib. */
function documentedEventId(tenantId: string, sessionId: string, clientEventId: string): string {
  const h = createHash('sha1')
    .update(`reverie:session-event:${tenantId}\0${sessionId}\0${clientEventId}`)
    .digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** What must be equal between the two sessions: everything but ids and times. */
function comparable(session: Record<string, unknown>) {
  const { id: _id, createdAt: _c, endedAt: _e, ...rest } = session;
  return rest;
}
function comparableEvent(event: Record<string, unknown>) {
  const { id: _id, receivedAt: _r, storedAt: _s, ...rest } = event;
  return rest;
}

describeWithJava('a non-Node producer publishing session events straight to Kafka', () => {
  let gateway: RunningGateway;
  let api: ApiClient;
  let tap: Awaited<ReturnType<typeof tapTopic>>;
  const tenantId = uniqueName('tenant');

  beforeAll(async () => {
    gateway = await startGateway();
    api = await gateway.tenant(tenantId);
    tap = await tapTopic(TOPICS.sessionEvents);
  });
  afterAll(async () => {
    await tap?.close();
    await gateway?.close();
  });

  it('is stored exactly as the same session sent through the REST API', async () => {
    const agent = await api.post('/v1/agents', anAgent());
    expect(agent.status).toBe(201);
    const agentId = agent.body.id as string;
    const rolePlaybooks = Object.fromEntries(
      (agent.body.roles as { name: string }[]).map((r) => [r.name, null]),
    );
    const events = someEvents(12, 'step');
    const title = 'landing 7';
    const metadata = { origin: 'flight-computer' };

    // 1. Over HTTP: create, two batches (the second sent twice, as a client retry), end.
    const created = await api.post('/v1/sessions', { agentId, title, metadata });
    expect(created.status).toBe(201);
    const viaHttp = created.body.id as string;
    for (const batch of [events.slice(0, 6), events.slice(6), events.slice(6)]) {
      expect((await api.post(`/v1/sessions/${viaHttp}/events`, { events: batch })).status).toBe(
        202,
      );
    }
    const end = { status: 'failed', reason: 'hard landing' };
    expect((await api.post(`/v1/sessions/${viaHttp}/end`, end)).status).toBe(200);

    // 2. Straight to Kafka with the console producer: the same session, with the documented key
    // (the session id), headers and envelope; one event sent twice, as a producer retry would.
    const direct = `ses_direct_${uniqueName('k')}`;
    const at = new Date().toISOString();
    const envelope = { tenantId, agentId, sessionId: direct, schemaVersion: SCHEMA_VERSION };
    const messages = [
      {
        ...envelope,
        id: `msg_${uniqueName('start')}`,
        type: 'session.started',
        occurredAt: at,
        // The playbook versions it runs with: a new agent has none yet, for any of its roles.
        payload: { source: 'external', title, metadata, playbook: null, rolePlaybooks },
      },
      ...[...events, events[3]].map((event) => ({
        ...envelope,
        id: documentedEventId(tenantId, direct, event.clientEventId),
        type: 'session.event_appended',
        occurredAt: at,
        payload: { event, receivedAt: at },
      })),
      {
        ...envelope,
        id: `msg_${uniqueName('end')}`,
        type: 'session.ended',
        occurredAt: at,
        payload: end,
      },
    ];
    // The documented id recipe is the one the services use.
    expect(messages[1].id).toBe(sessionEventId(tenantId, direct, events[0].clientEventId));
    // Every message matches the published JSON Schema of its type.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const m of messages) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS, `${m.type}.json`), 'utf8'));
      const check = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
      expect({ type: m.type, valid: check(m) }).toEqual({ type: m.type, valid: true });
    }
    const sent = await consoleProduce(
      stackEnv().kafkaBrokers,
      TOPICS.sessionEvents,
      messages.map((m) => ({
        key: direct,
        headers: { 'reverie-type': m.type, 'reverie-schema-version': String(SCHEMA_VERSION) },
        value: JSON.stringify(m),
      })),
    );
    expect({ code: sent.code, errors: sent.stderr.match(/ERROR.*|Error when sending.*/g) }).toEqual(
      {
        code: 0,
        errors: null,
      },
    );

    // 3. Both stored: same session record, same events in the same order with gap-free seq.
    const [httpSession, directSession] = await expectEventually(async () => {
      const both = await Promise.all([viaHttp, direct].map((id) => api.get(`/v1/sessions/${id}`)));
      for (const s of both) {
        expect(s.status).toBe(200);
        expect(s.body).toMatchObject({ status: 'failed', eventCount: events.length });
      }
      return both.map((s) => s.body as Record<string, unknown>);
    });
    expect(comparable(directSession)).toEqual(comparable(httpSession));
    expect(directSession.endedAt).toEqual(expect.any(String));
    const [httpEvents, directEvents] = await Promise.all(
      [viaHttp, direct].map((id) => readAllEvents(api, id)),
    );
    expect(directEvents.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(directEvents.map(comparableEvent)).toEqual(httpEvents.map(comparableEvent));
    expect(directEvents.map((e) => e.id)).toEqual(
      events.map((e) => sessionEventId(tenantId, direct, e.clientEventId)),
    );

    // 4. On the topic, the gateway's messages carry the key and headers the console producer sent,
    // and match the same JSON Schemas (the one-event form the console producer used is the other
    // form of the same contract).
    const onTopic = await expectEventually(async () => {
      const gatewayMessages = tap.forSession(viaHttp);
      const directMessages = tap.forSession(direct);
      expect(directMessages).toHaveLength(messages.length);
      // The gateway's carry each request's events in one session.events_appended: 6, 6 and the
      // retry's 6 again, after the start and before the end.
      expect(gatewayMessages.map((m) => m.value.type)).toEqual([
        'session.started',
        ...Array(3).fill('session.events_appended'),
        'session.ended',
      ]);
      const carried = gatewayMessages.flatMap((m) =>
        m.value.type === 'session.events_appended' ? m.value.payload.events : [],
      );
      expect(
        carried.map((e: { event: { clientEventId: string } }) => e.event.clientEventId),
      ).toEqual([...events, ...events.slice(6)].map((e) => e.clientEventId));
      return { gatewayMessages, directMessages };
    });
    for (const m of [...onTopic.gatewayMessages, ...onTopic.directMessages]) {
      expect(m.key).toBe(m.value.sessionId);
      expect(m.headers).toMatchObject({
        'reverie-type': m.value.type,
        'reverie-schema-version': String(SCHEMA_VERSION),
      });
    }
    for (const m of onTopic.gatewayMessages) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS, `${m.value.type}.json`), 'utf8'));
      const check = ajv.getSchema(schema.$id) ?? ajv.compile(schema);
      expect({ type: m.value.type, valid: check(m.value) }).toEqual({
        type: m.value.type,
        valid: true,
      });
    }
  }, 240_000);
});
