import type { KafkaSettings } from '@reverie/kafka';
import type { Admin, Kafka } from 'kafkajs';
import { ApiKeyRevocationsListener, revocationRetryDelayMs } from './api-key-revocations.listener';
import { ApiKeyCache } from './api-key.cache';

/**
 * A stand-in for the kafkajs client that records the consumers made and lets the test fire their
 * events: what is under test is the listener's decision to start a new consumer after a crash,
 * which needs no broker (the join and the reading itself are covered by the int-spec).
 */
class StubConsumer {
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  readonly handlers = new Map<string, (e: { payload: unknown }) => void>();
  disconnected = 0;
  on(event: string, handler: (e: { payload: unknown }) => void): () => void {
    this.handlers.set(event, handler);
    return () => this.handlers.delete(event);
  }
  emit(event: string, payload: unknown): void {
    this.handlers.get(event)?.({ payload });
  }
  readonly connect = () => Promise.resolve();
  readonly subscribe = () => Promise.resolve();
  readonly run = () => Promise.resolve();
  async disconnect(): Promise<void> {
    this.disconnected++;
  }
}

function setUp() {
  const consumers: StubConsumer[] = [];
  const kafka = {
    consumer: () => {
      const c = new StubConsumer();
      consumers.push(c);
      return c;
    },
  } as unknown as Kafka;
  const admin = { deleteGroups: async () => undefined } as unknown as Admin;
  const settings = { groupId: 'sessions', sessionTimeoutMs: 10_000, heartbeatIntervalMs: 1_000 };
  const listener = new ApiKeyRevocationsListener(
    kafka,
    admin,
    settings as KafkaSettings,
    new ApiKeyCache(),
  );
  return { listener, consumers };
}

const crash = (restart: boolean) => ({ error: new Error('coordinator gone'), restart });

describe('ApiKeyRevocationsListener after its consumer crashes', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts a new consumer with back-off when kafkajs does not restart the crashed one', async () => {
    const { listener, consumers } = setUp();
    listener.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    consumers[0].emit(consumers[0].events.GROUP_JOIN, {});
    expect(listener.listening).toBe(true);

    consumers[0].emit(consumers[0].events.CRASH, crash(false));
    expect(listener.listening).toBe(false);
    await jest.advanceTimersByTimeAsync(revocationRetryDelayMs(0));

    expect(consumers).toHaveLength(2);
    expect(consumers[0].disconnected).toBeGreaterThan(0);
    consumers[1].emit(consumers[1].events.GROUP_JOIN, {});
    expect(listener.listening).toBe(true);
    await listener.onModuleDestroy();
  });

  it('leaves the restart to kafkajs when kafkajs restarts the consumer itself', async () => {
    const { listener, consumers } = setUp();
    listener.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    consumers[0].emit(consumers[0].events.CRASH, crash(true));
    await jest.advanceTimersByTimeAsync(10 * revocationRetryDelayMs(10));
    expect(consumers).toHaveLength(1);
    await listener.onModuleDestroy();
  });

  it('starts nothing after shutdown, even with a retry pending', async () => {
    const { listener, consumers } = setUp();
    listener.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    consumers[0].emit(consumers[0].events.CRASH, crash(false));
    await listener.onModuleDestroy();
    consumers[0].emit(consumers[0].events.CRASH, crash(false));
    await jest.advanceTimersByTimeAsync(10 * revocationRetryDelayMs(10));
    expect(consumers).toHaveLength(1);
  });

  it('backs off longer after each failed attempt, up to a cap', () => {
    const delays = [0, 1, 2, 3, 10, 50].map(revocationRetryDelayMs);
    expect(delays[1]).toBeGreaterThan(delays[0]);
    expect(delays[2]).toBeGreaterThan(delays[1]);
    expect(delays[4]).toBe(delays[5]);
  });
});
