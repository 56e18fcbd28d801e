import { plannedTopics } from './ensure-topics';

describe('plannedTopics', () => {
  const defaults = { partitions: 6, replicationFactor: 1 };

  it('uses the configured partitions and adds a dead-letter topic where asked', () => {
    expect(
      plannedTopics(
        [{ topic: 'reverie.a.v1', withDeadLetter: true }, { topic: 'reverie.b.v1' }],
        defaults,
      ),
    ).toEqual([
      { topic: 'reverie.a.v1', numPartitions: 6, replicationFactor: 1, configEntries: [] },
      { topic: 'reverie.a.v1.dlq', numPartitions: 6, replicationFactor: 1, configEntries: [] },
      { topic: 'reverie.b.v1', numPartitions: 6, replicationFactor: 1, configEntries: [] },
    ]);
  });

  it('passes topic configs such as compaction, but not to the dead-letter topic', () => {
    const [main, dlq] = plannedTopics(
      [
        {
          topic: 'reverie.playbooks.v1',
          withDeadLetter: true,
          config: { 'cleanup.policy': 'compact' },
        },
      ],
      { partitions: 3, replicationFactor: 3 },
    );
    expect(main.configEntries).toEqual([{ name: 'cleanup.policy', value: 'compact' }]);
    expect(main).toMatchObject({ numPartitions: 3, replicationFactor: 3 });
    expect(dlq.configEntries).toEqual([]);
  });

  it('lists a topic several modules name once, with a dead-letter topic and every config any asked for', () => {
    expect(
      plannedTopics(
        [
          { topic: 'reverie.a.v1', withDeadLetter: true },
          { topic: 'reverie.b.v1' },
          { topic: 'reverie.b.v1', withDeadLetter: true },
          { topic: 'reverie.c.v1', withDeadLetter: true },
          { topic: 'reverie.c.v1', config: { 'cleanup.policy': 'compact' } },
        ],
        defaults,
      ).map((t) => [t.topic, t.configEntries]),
    ).toEqual([
      ['reverie.a.v1', []],
      ['reverie.a.v1.dlq', []],
      ['reverie.b.v1', []],
      ['reverie.b.v1.dlq', []],
      ['reverie.c.v1', [{ name: 'cleanup.policy', value: 'compact' }]],
      ['reverie.c.v1.dlq', []],
    ]);
  });
});
