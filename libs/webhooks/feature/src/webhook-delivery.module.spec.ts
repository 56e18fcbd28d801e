import { TOPICS } from '@reverie/contracts';
import { plannedTopics } from '@reverie/kafka';
import { WEBHOOK_TOPICS } from './webhook-delivery.module';

describe('WEBHOOK_TOPICS beside the dreamer’s own', () => {
  it('lists each topic once, with a dead-letter topic and every config any spec asked for', () => {
    const planned = plannedTopics(
      [
        { topic: TOPICS.dreamCommands, withDeadLetter: true },
        { topic: TOPICS.dreams },
        ...WEBHOOK_TOPICS,
      ],
      { partitions: 3, replicationFactor: 1 },
    );
    expect(planned.map((t) => [t.topic, t.configEntries])).toEqual([
      [TOPICS.dreamCommands, []],
      [`${TOPICS.dreamCommands}.dlq`, []],
      [TOPICS.dreams, []],
      [`${TOPICS.dreams}.dlq`, []],
      [TOPICS.playbookVersions, [{ name: 'cleanup.policy', value: 'compact' }]],
      [`${TOPICS.playbookVersions}.dlq`, []],
    ]);
  });
});
