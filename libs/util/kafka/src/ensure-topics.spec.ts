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
});
