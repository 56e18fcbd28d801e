// The Kafka transport (@reverie/kafka) on a real broker. It lives in the testing lib, not beside
// the transport: the transport's project cannot depend on the testing lib, which depends on the
// service kit, which depends on the transport (Nx refuses the cycle).
import {
  deadLetterTopic,
  DLQ_HEADERS,
  eventAppended,
  TOPICS,
  type SessionTopicMessage,
} from '@reverie/contracts';
import {
  ConsumerHealth,
  createKafka,
  ensureTopics,
  KafkaBatchServer,
  PermanentError,
  RetriableError,
  type ConsumedBatch,
  type ConsumerState,
  type KafkaSettings,
} from '@reverie/kafka';
import { AssignerProtocol, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { expectEventually } from '../expect-eventually';
import { stackEnv, startGroupAtEnd, testKafka, uniqueName } from '../integration';

const topic = TOPICS.sessionEvents;

/** Health that remembers every state it was put in. */
class RecordingHealth extends ConsumerHealth {
  readonly states: ConsumerState[] = [];
  override setState(groupId: string, topics: string[], state: ConsumerState, error?: string) {
    this.states.push(state);
    super.setState(groupId, topics, state, error);
  }
}

/**
 * The transport's failure policy on the real broker: which messages a failing handler gets
 * dead-lettered, how many times it is tried, and that a crashed consumer comes back.
 */
describe('KafkaBatchServer failure policy', () => {
  const tenantId = 'acme';
  let producer: Producer;
  let dlqReader: Consumer;
  const parked: { key: string; clientEventId: string; headers: Record<string, string> }[] = [];
  const servers: KafkaBatchServer[] = [];

  const settings = (): KafkaSettings => ({
    brokers: stackEnv().kafkaBrokers.split(','),
    clientId: 'transport-test',
    groupId: uniqueName('test-transport'),
    partitions: 3,
    replicationFactor: 1,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    maxHandlerRetries: 2,
  });

  /** Starts a transport whose handler sees only this session's messages. */
  const start = async (
    sessionId: string,
    handle: (messages: SessionTopicMessage[], batch: ConsumedBatch) => Promise<void>,
    options: {
      kafka?: Kafka;
      health?: ConsumerHealth;
      restartBackoffMs?: number;
      settings?: KafkaSettings;
    } = {},
  ) => {
    // A caller that passes its settings has set its group's offsets itself.
    const s = options.settings ?? settings();
    if (!options.settings) await startGroupAtEnd(s.groupId, topic);
    const server = new KafkaBatchServer({
      kafka: options.kafka ?? createKafka(s),
      settings: s,
      health: options.health,
      restartBackoffMs: options.restartBackoffMs,
      failurePolicy: { initialBackoffMs: 20, maxBackoffMs: 100 },
    });
    server.addHandler(
      topic,
      async (batch: ConsumedBatch<typeof topic>) =>
        handle(
          batch.messages.filter((m) => m.sessionId === sessionId),
          batch,
        ),
      true,
    );
    servers.push(server);
    await new Promise<void>((resolve, reject) =>
      server.listen((err) => (err ? reject(err) : resolve())),
    );
    return server;
  };

  const send = async (sessionId: string, ids: string[]) =>
    producer.send({
      topic,
      messages: ids.map((clientEventId) => ({
        key: sessionId,
        value: JSON.stringify(
          eventAppended(
            { tenantId, agentId: 'agt_1', sessionId },
            { clientEventId, type: 'observation', data: { clientEventId } },
            new Date().toISOString(),
          ),
        ),
      })),
    });

  const idOf = (m: SessionTopicMessage) =>
    m.type === 'session.event_appended' ? m.payload.event.clientEventId : m.type;

  beforeAll(async () => {
    const admin = testKafka().admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, withDeadLetter: true }], {
      partitions: 3,
      replicationFactor: 1,
    });
    await admin.disconnect();
    producer = testKafka().producer();
    await producer.connect();
    const groupId = uniqueName('test-dlq-reader');
    await startGroupAtEnd(groupId, deadLetterTopic(topic));
    dlqReader = testKafka().consumer({ groupId, sessionTimeout: 10_000 });
    await dlqReader.connect();
    await dlqReader.subscribe({ topic: deadLetterTopic(topic), fromBeginning: true });
    await dlqReader.run({
      eachMessage: async ({ message }) => {
        const value = JSON.parse(message.value?.toString() ?? 'null');
        parked.push({
          key: message.key?.toString() ?? '',
          clientEventId: value?.payload?.event?.clientEventId,
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v ?? '')]),
          ),
        });
      },
    });
  });

  afterAll(async () => {
    for (const server of servers) await server.close();
    await dlqReader.disconnect();
    await producer.disconnect();
  });

  it('dead-letters only the message a permanent error comes from and handles the rest', async () => {
    const sessionId = uniqueName('ses_perm');
    const handled: string[] = [];
    await start(sessionId, async (messages) => {
      if (messages.some((m) => idOf(m) === 'poison'))
        throw new PermanentError('poison is not storable');
      handled.push(...messages.map(idOf));
    });
    await send(sessionId, ['a', 'b', 'poison', 'c', 'd']);

    const mine = await expectEventually(() => {
      const found = parked.filter((p) => p.key === sessionId);
      expect(found).toHaveLength(1);
      expect(new Set(handled)).toEqual(new Set(['a', 'b', 'c', 'd']));
      return found[0];
    });
    expect(mine.clientEventId).toBe('poison');
    expect(mine.headers[DLQ_HEADERS.reason]).toMatch(
      /gave up after \d+ attempt\(s\) \(permanent error\): poison is not storable/,
    );
    expect(mine.headers[DLQ_HEADERS.originalTopic]).toBe(topic);
    expect(mine.headers[DLQ_HEADERS.consumerGroup]).toMatch(/^test-transport/);

    // Consumption goes on after it.
    await send(sessionId, ['e']);
    await expectEventually(() => expect(handled).toContain('e'));
  });

  it('dead-letters a message whose retriable error persists, after a bounded number of attempts', async () => {
    const sessionId = uniqueName('ses_retry');
    const handled: string[] = [];
    let stuckAttempts = 0;
    await start(sessionId, async (messages) => {
      if (messages.some((m) => idOf(m) === 'stuck')) {
        stuckAttempts++;
        throw new RetriableError('what stuck needs is not stored yet');
      }
      handled.push(...messages.map(idOf));
    });
    await send(sessionId, ['a', 'stuck', 'b']);

    const mine = await expectEventually(() => {
      const found = parked.filter((p) => p.key === sessionId);
      expect(found).toHaveLength(1);
      expect(new Set(handled)).toEqual(new Set(['a', 'b']));
      return found[0];
    });
    expect(mine.clientEventId).toBe('stuck');
    expect(mine.headers[DLQ_HEADERS.reason]).toMatch(
      /\(retriable error\): what stuck needs is not stored yet/,
    );
    // 1 + 2 retries of the whole batch, then at most one try per half it was split into.
    const attempts = Number(mine.headers[DLQ_HEADERS.attempts]);
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(6);
    expect(stuckAttempts).toBe(attempts);
  });

  it('reports a handler call that neither returns nor heartbeats as stalled, and only that one', async () => {
    const health = new ConsumerHealth();
    const s = { ...settings(), handlerStallMs: 2_000 };
    await startGroupAtEnd(s.groupId, topic);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const working = uniqueName('ses_working');
    const stuck = uniqueName('ses_stuck');
    let heartbeats = 0;
    const seenWhileWorking: (string | null)[] = [];
    await start(
      '',
      async (_, batch) => {
        const ids = new Set(batch.messages.map((m) => m.sessionId));
        // Works for 3 s, longer than the limit, heartbeating as long handlers must.
        if (ids.has(working))
          for (let i = 0; i < 6; i++) {
            await new Promise((r) => setTimeout(r, 500));
            await batch.heartbeat();
            heartbeats++;
            seenWhileWorking.push(health.stalled());
          }
        if (ids.has(stuck)) await released;
      },
      { health, settings: s },
    );
    await send(working, ['w1']);
    await expectEventually(() => expect(heartbeats).toBe(6));
    expect(seenWhileWorking).toEqual([null, null, null, null, null, null]);
    expect(health.stalled()).toBeNull();

    await send(stuck, ['s1']);
    await expectEventually(() =>
      expect(health.stalled()).toMatch(
        /^the test-transport_\S+ handler of reverie\.sessions\.events\.v1\[\d+\] has made no progress for [2-9] s \(limit 2 s\)$/,
      ),
    );
    release();
    await expectEventually(() => expect(health.stalled()).toBeNull());
  }, 30_000);

  it('keeps a handler that waits on one call longer than the session timeout in its group: its batch is delivered once', async () => {
    const s = { ...settings(), sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 };
    await startGroupAtEnd(s.groupId, topic);
    const sessionId = uniqueName('ses_slow');
    const calls: string[][] = [];
    await start(
      sessionId,
      async (messages) => {
        if (!messages.length) return;
        calls.push(messages.map(idOf));
        // One await of 15 s, without a heartbeat of its own (as a model's answer would be).
        await new Promise((r) => setTimeout(r, 15_000));
      },
      { settings: s },
    );
    await send(sessionId, ['slow-1']);
    await expectEventually(() => expect(calls).toHaveLength(1), { timeoutMs: 20_000 });
    // Past the end of that call, by as long again as a rejoin and a second delivery would take.
    await new Promise((r) => setTimeout(r, 25_000));
    expect(calls).toEqual([['slow-1']]);
  }, 60_000);

  it('starts a crashed consumer again, and is not ready while it is down', async () => {
    const sessionId = uniqueName('ses_crash');
    const handled: string[] = [];
    const health = new RecordingHealth();
    // The dead-letter producer fails once with a bug-like TypeError, as the HTTP filter once
    // made handlers fail: kafkajs treats it as non-retriable and stops the consumer for good.
    const real = createKafka(settings());
    let failures = 1;
    const kafka = Object.assign(Object.create(real), {
      producer: (config?: Parameters<Kafka['producer']>[0]) => {
        const p = real.producer(config);
        const send = p.send.bind(p);
        p.send = async (record) => {
          if (failures-- > 0) throw new TypeError('response.status is not a function');
          return send(record);
        };
        return p;
      },
    }) as Kafka;
    await start(
      sessionId,
      async (messages) => {
        if (messages.some((m) => idOf(m) === 'poison')) throw new PermanentError('poison');
        handled.push(...messages.map(idOf));
      },
      { kafka, health, restartBackoffMs: 200 },
    );
    await send(sessionId, ['a', 'poison', 'b']);

    await expectEventually(() => {
      expect(parked.filter((p) => p.key === sessionId).map((p) => p.clientEventId)).toEqual([
        'poison',
      ]);
      expect(new Set(handled)).toEqual(new Set(['a', 'b']));
      expect(health.isReady()).toBe(true);
    });
    expect(health.states).toContain('restarting');
    expect(health.snapshot()[0]).toMatchObject({
      state: 'running',
      restarts: 1,
      lastError: expect.stringMatching(/response.status is not a function/),
    });
  });

  it('keeps restarting a consumer whose restart itself crashes, until it joins', async () => {
    // kafkajs reports a failed group join as a crash while run() resolves: a restart whose join
    // failed (a coordinator still loading after a broker restart) was taken for a success, and
    // the consumer stayed down for good. Here a member with an assignor nobody else speaks holds
    // the group, so every join is refused (INCONSISTENT_GROUP_PROTOCOL) until it leaves.
    const sessionId = uniqueName('ses_rejoin');
    const handled: string[] = [];
    const health = new RecordingHealth();
    const s = settings();
    await startGroupAtEnd(s.groupId, topic);
    const blocker = testKafka().consumer({
      groupId: s.groupId,
      sessionTimeout: 10_000,
      partitionAssigners: [
        () => ({
          name: 'BlockerAssigner',
          version: 1,
          protocol: ({ topics }) => ({
            name: 'BlockerAssigner',
            metadata: AssignerProtocol.MemberMetadata.encode({
              version: 1,
              topics,
              userData: Buffer.alloc(0),
            }),
          }),
          assign: async ({ members }) =>
            members.map(({ memberId }) => ({
              memberId,
              memberAssignment: AssignerProtocol.MemberAssignment.encode({
                version: 1,
                assignment: {},
                userData: Buffer.alloc(0),
              }),
            })),
        }),
      ],
    });
    await blocker.connect();
    await blocker.subscribe({ topic });
    let blockerJoined = false;
    blocker.on(blocker.events.GROUP_JOIN, () => (blockerJoined = true));
    await blocker.run({ eachMessage: async () => undefined });
    try {
      await expectEventually(() => expect(blockerJoined).toBe(true));
      await start(
        sessionId,
        async (messages) => {
          handled.push(...messages.map(idOf));
        },
        { health, restartBackoffMs: 200, settings: s },
      );
      // The first start crashed, and so did at least one restart.
      await expectEventually(() =>
        expect(health.states.filter((st) => st === 'restarting').length).toBeGreaterThanOrEqual(2),
      );
    } finally {
      await blocker.disconnect();
    }

    await send(sessionId, ['after']);
    await expectEventually(
      () => {
        expect(handled).toContain('after');
        expect(health.isReady()).toBe(true);
      },
      { timeoutMs: 60_000 },
    );
  }, 90_000);
});
