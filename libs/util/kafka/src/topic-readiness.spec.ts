import {
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSConnectionError,
} from 'kafkajs';
import {
  isTopicNotReady,
  retryWhileTopicsNotReady,
  TopicsNotReadyError,
  type TopicWaitOptions,
} from './topic-readiness';

/** The error kafkajs raises for a broker's error code (as its protocol decoder builds it). */
function protocolError(type: string, code: number, message: string) {
  // kafkajs's constructor takes its error-table entry; its typings only name the message.
  const entry = { type, code, retriable: true, message } as unknown as string;
  return new KafkaJSProtocolError(entry);
}

const unknownTopic = () =>
  protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, 'This server does not host this topic-partition');
const notLeader = () =>
  protocolError(
    'NOT_LEADER_FOR_PARTITION',
    6,
    'This server is not the leader for that topic-partition',
  );

/** Fails with `errors` in turn, then answers 'ready'. */
function failingWith(...errors: Error[]) {
  let calls = 0;
  const attempt = jest.fn(async () => {
    const err = errors[calls++];
    if (err) throw err;
    return 'ready';
  });
  return attempt;
}

describe('isTopicNotReady', () => {
  it("knows a fresh broker's topic errors, also inside kafkajs's retries-exceeded error", () => {
    expect(isTopicNotReady(unknownTopic())).toBe(true);
    expect(isTopicNotReady(notLeader())).toBe(true);
    expect(
      isTopicNotReady(
        protocolError('LEADER_NOT_AVAILABLE', 5, 'There is no leader for this topic'),
      ),
    ).toBe(true);
    expect(
      isTopicNotReady(
        new KafkaJSNumberOfRetriesExceeded(unknownTopic(), { retryCount: 8, retryTime: 30_000 }),
      ),
    ).toBe(true);
    expect(isTopicNotReady(new TopicsNotReadyError('no leader yet for t[0]'))).toBe(true);
  });

  it('leaves every other error alone', () => {
    expect(isTopicNotReady(protocolError('TOPIC_AUTHORIZATION_FAILED', 29, 'not allowed'))).toBe(
      false,
    );
    expect(isTopicNotReady(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(
      false,
    );
    expect(isTopicNotReady(new Error('boom'))).toBe(false);
    expect(isTopicNotReady(undefined)).toBe(false);
  });
});

describe('retryWhileTopicsNotReady', () => {
  const fast = (log: string[], extra: TopicWaitOptions = {}): TopicWaitOptions => ({
    sleep: async () => undefined,
    log: (line) => log.push(line),
    ...extra,
  });

  it('retries while topics are not ready, saying each time what it waits for', async () => {
    const log: string[] = [];
    const attempt = failingWith(unknownTopic(), notLeader());
    await expect(retryWhileTopicsNotReady('the leaders of t', attempt, fast(log))).resolves.toBe(
      'ready',
    );
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(log).toEqual([
      'waiting for the leaders of t: This server does not host this topic-partition; attempt 2 in 200 ms',
      'waiting for the leaders of t: This server is not the leader for that topic-partition; attempt 3 in 400 ms',
    ]);
  });

  it('throws any other error at once', async () => {
    const refused = protocolError('TOPIC_AUTHORIZATION_FAILED', 29, 'not allowed');
    const attempt = failingWith(refused);
    await expect(retryWhileTopicsNotReady('t', attempt, fast([]))).rejects.toBe(refused);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('gives up at the deadline, naming what it waited for and the last error', async () => {
    const log: string[] = [];
    const attempt = jest.fn(async () => {
      throw notLeader();
    });
    // Time passes only in the (fake) sleeps: 200 + 400 ms fit in 1 s, the next 800 ms do not.
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const err = await retryWhileTopicsNotReady(
        'the leaders of t',
        attempt,
        fast(log, { timeoutMs: 1_000, sleep: async (ms) => void (now += ms) }),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TopicsNotReadyError);
      expect((err as Error).message).toBe(
        'the leaders of t still not ready after 1 s (3 attempts): This server is not the leader for that topic-partition',
      );
      expect(attempt).toHaveBeenCalledTimes(3);
      expect(log).toHaveLength(2);
    } finally {
      clock.mockRestore();
    }
  });
});
