import { TOPICS } from '@reverie/contracts';
import { mergeTopicSpecs, WEBHOOK_TOPICS } from './webhook-delivery.module';

describe('mergeTopicSpecs', () => {
  it('lists each topic once, with a dead-letter topic and every config any spec asked for', () => {
    const merged = mergeTopicSpecs(
      [{ topic: TOPICS.dreamCommands, withDeadLetter: true }, { topic: TOPICS.dreams }],
      WEBHOOK_TOPICS,
    );
    expect(merged).toEqual([
      { topic: TOPICS.dreamCommands, withDeadLetter: true },
      { topic: TOPICS.dreams, withDeadLetter: true, config: {} },
      {
        topic: TOPICS.playbookVersions,
        withDeadLetter: true,
        config: { 'cleanup.policy': 'compact' },
      },
    ]);
  });
});
