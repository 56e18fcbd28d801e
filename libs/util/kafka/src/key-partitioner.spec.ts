import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { MemoKeyPartitioner } from './key-partitioner';

const metadata = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    partitionErrorCode: 0,
    offlineReplicas: [],
  }));

describe('MemoKeyPartitioner', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `ses_${i.toString(16).padStart(12, '0')}x`);

  it.each([1, 6, 7])('places every key where the default partitioner does (%i partitions)', (n) => {
    const memo = MemoKeyPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    const partitionMetadata = metadata(n);
    for (const key of [...keys, ...keys]) {
      const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
      expect(memo(args)).toBe(plain(args));
    }
  });

  it('keeps keys apart when the topic has another partition count', () => {
    const memo = MemoKeyPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    const message = { key: keys[3], value: 'v' };
    for (const n of [6, 5, 6, 5]) {
      const args = { topic: 't', partitionMetadata: metadata(n), message };
      expect(memo(args)).toBe(plain(args));
    }
  });

  it('honours an explicit partition and spreads keyless messages', () => {
    const memo = MemoKeyPartitioner();
    const partitionMetadata = metadata(6);
    expect(memo({ topic: 't', partitionMetadata, message: { partition: 4, value: 'v' } })).toBe(4);
    const keyless = new Set(
      Array.from({ length: 30 }, () =>
        memo({ topic: 't', partitionMetadata, message: { value: 'v' } }),
      ),
    );
    expect(keyless.size).toBeGreaterThan(1);
  });
});
