import { deadLetterTopic, eventAppended, TOPICS } from '@reverie/contracts';
import { REPLAYED_FROM_HEADER, type DeadLetter } from '@reverie/kafka';
import { expectEventually } from '@reverie/testing';
import { stackEnv, testKafka, uniqueName } from '@reverie/testing/integration';
import type { Producer } from 'kafkajs';
// The CLI is an app, not a library: its test drives it the way an operator would.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { main as reverie } from '../../../tools/cli/src/main';
import { anAgentWithSession, startGateway, tapTopic, type RunningGateway } from './gateway.harness';

/** `reverie dlq ...` against the test broker: exit code and what it printed. */
const cli = async (...argv: string[]) => {
  const out: string[] = [];
  const code = await reverie([...argv, '--brokers', stackEnv().kafkaBrokers], {
    out: (line) => out.push(line),
    err: () => undefined,
  });
  return { code, out: out.join('\n') };
};

/**
 * An operator lists what the consumers gave up on, with the reason, and replays one dead letter
 * to its original topic, where the consumers see it again.
 */
describe('reverie dlq', () => {
  let gateway: RunningGateway;
  let producer: Producer;
  const tenantId = uniqueName('tenant');

  beforeAll(async () => {
    gateway = await startGateway();
    producer = testKafka().producer();
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await gateway.close();
  });

  it('lists dead letters with reason, origin and time, and replays one to its topic', async () => {
    const api = await gateway.tenant(tenantId);
    const { agentId, sessionId } = await anAgentWithSession(api);
    const poison = JSON.stringify(
      eventAppended(
        { tenantId, agentId, sessionId },
        { clientEventId: 'x', type: 'observation', data: { placeholder: 1 } },
        new Date().toISOString(),
      ),
    ).replace('{"placeholder":1}', '{"a\\u0000b":1}');
    await producer.send({
      topic: TOPICS.sessionEvents,
      messages: [{ key: sessionId, value: poison }],
    });

    const mine = (letters: DeadLetter[]) => letters.filter((d) => d.key === sessionId);
    const [parked] = await expectEventually(async () => {
      const listed = await cli('dlq', 'list', '--topic', TOPICS.sessionEvents, '--json');
      expect(listed.code).toBe(0);
      const found = mine(JSON.parse(listed.out));
      expect(found).toHaveLength(1);
      return found;
    });
    expect(parked).toMatchObject({
      dlqTopic: deadLetterTopic(TOPICS.sessionEvents),
      value: poison,
      reason: expect.stringMatching(/NUL byte/),
      origin: { topic: TOPICS.sessionEvents, offset: expect.stringMatching(/^\d+$/) },
      consumerGroup: gateway.config.kafka.groupId,
      failedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const text = await cli('dlq', 'list', '--topic', TOPICS.sessionEvents);
    expect(text.out).toContain(`${parked.position}  from ${TOPICS.sessionEvents}[`);

    const tap = await tapTopic(TOPICS.sessionEvents);
    try {
      const replay = await cli(
        'dlq',
        'replay',
        '--topic',
        TOPICS.sessionEvents,
        '--offset',
        parked.position,
      );
      expect(replay).toEqual({
        code: 0,
        out: `replayed 1 dead letter(s) to ${TOPICS.sessionEvents}`,
      });
      const again = await expectEventually(() => {
        const found = tap.messages.filter((m) => m.key === sessionId);
        expect(found).toHaveLength(1);
        return found[0];
      });
      expect(JSON.stringify(again.value)).toBe(poison);
      expect(again.headers[REPLAYED_FROM_HEADER]).toBe(
        `${deadLetterTopic(TOPICS.sessionEvents)}@${parked.position}`,
      );
    } finally {
      await tap.close();
    }

    await expect(
      cli('dlq', 'replay', '--topic', TOPICS.sessionEvents, '--offset', '999:999999'),
    ).rejects.toThrow(/no dead letter at 999:999999/);
  });
});
