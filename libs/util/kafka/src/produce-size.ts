/**
 * Largest produce request the transport sends to one partition, as the sum of the messages'
 * value and key bytes. A broker refuses a record batch over its `message.max.bytes` (1,048,588 by
 * default) with "message too large"; this leaves room for record and batch overhead and headers.
 * A single message is never split: callers bound each one well below this (MAX_EVENT_BYTES).
 */
export const MAX_PRODUCE_BYTES = 900_000;

/**
 * Splits items, in order, into runs whose sizes add up to at most `maxBytes`, so each run can be
 * produced as one request the broker accepts. An item bigger than `maxBytes` gets a run of its own.
 */
export function chunkBySize<T>(
  items: T[],
  sizeOf: (item: T) => number,
  maxBytes = MAX_PRODUCE_BYTES,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
