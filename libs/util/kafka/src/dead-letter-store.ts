import { DLQ_HEADERS } from '@reverie/contracts';
import type { IHeaders, Kafka } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { createProducer } from './create-kafka';

/** A message parked on a dead-letter topic, as an operator sees it. */
export interface DeadLetter {
  /** The dead-letter topic and where the message sits on it: `<partition>:<offset>`. */
  dlqTopic: string;
  position: string;
  key: string | null;
  /** The message as it was first produced (bytes as UTF-8). */
  value: string | null;
  reason: string;
  origin: { topic: string; partition: number | null; offset: string | null };
  consumerGroup: string | null;
  attempts: number | null;
  failedAt: string | null;
  /** Original headers, without the dead-letter ones. */
  headers: Record<string, string>;
}

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));

const text = (headers: IHeaders | undefined, name: string): string | null => {
  const value = headers?.[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? String(value[0]) : String(value);
};

/** `reverie.sessions.events.v1` or `reverie.sessions.events.v1.dlq`: the dead-letter topic. */
export function dlqTopicOf(topic: string): string {
  return topic.endsWith('.dlq') ? topic : `${topic}.dlq`;
}

/** Every dead-letter topic on the cluster. */
export async function listDeadLetterTopics(kafka: Kafka): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).filter((t) => t.endsWith('.dlq')).sort();
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads everything on a dead-letter topic, oldest first per partition, without committing
 * anything: a throw-away consumer group reads up to the end offsets as of the call, and the
 * group is deleted afterwards.
 */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  timeoutMs = 30_000,
): Promise<DeadLetter[]> {
  const dlqTopic = dlqTopicOf(topic);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `reverie-dlq-reader-${randomBytes(6).toString('hex')}`;
  try {
    const ends = (await admin.fetchTopicOffsets(dlqTopic)).filter(
      (p) => BigInt(p.high) > BigInt(p.low),
    );
    if (ends.length === 0) return [];
    const remaining = new Map(ends.map((p) => [p.partition, BigInt(p.high) - 1n]));
    const letters: DeadLetter[] = [];
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000 });
    let timer: NodeJS.Timeout | undefined;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: dlqTopic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`reading ${dlqTopic} did not reach its end within ${timeoutMs} ms`)),
          timeoutMs,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const last = remaining.get(partition);
              if (last === undefined || BigInt(message.offset) > last) return;
              letters.push(toDeadLetter(dlqTopic, partition, message));
              if (BigInt(message.offset) === last) remaining.delete(partition);
              if (remaining.size === 0) resolve();
            },
          })
          .catch(reject);
      });
    } finally {
      // Also when the consumer failed: a pending timer would hold the CLI open for timeoutMs.
      clearTimeout(timer);
      await consumer.disconnect();
    }
    return letters.sort((a, b) =>
      a.position.localeCompare(b.position, undefined, { numeric: true }),
    );
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

function toDeadLetter(
  dlqTopic: string,
  partition: number,
  message: { offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders },
): DeadLetter {
  const h = message.headers;
  const originPartition = text(h, DLQ_HEADERS.originalPartition);
  const attempts = text(h, DLQ_HEADERS.attempts);
  return {
    dlqTopic,
    position: `${partition}:${message.offset}`,
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
    reason: text(h, DLQ_HEADERS.reason) ?? '(no reason recorded)',
    origin: {
      topic: text(h, DLQ_HEADERS.originalTopic) ?? dlqTopic.replace(/\.dlq$/, ''),
      partition: originPartition === null ? null : Number(originPartition),
      offset: text(h, DLQ_HEADERS.originalOffset),
    },
    consumerGroup: text(h, DLQ_HEADERS.consumerGroup),
    attempts: attempts === null ? null : Number(attempts),
    failedAt: text(h, DLQ_HEADERS.failedAt),
    headers: Object.fromEntries(
      Object.entries(h ?? {})
        .filter(([name]) => !DLQ_HEADER_NAMES.has(name))
        .map(([name, v]) => [name, String(Array.isArray(v) ? v[0] : v)]),
    ),
  };
}

/** The header a replayed message carries: where on the dead-letter topic it came from. */
export const REPLAYED_FROM_HEADER = 'reverie-replayed-from';

/**
 * Produces dead letters back to their original topics, with their key and original headers,
 * so consumers handle them again (consumers are idempotent: what was handled stays handled).
 * Dead letters stay on the dead-letter topic; one that fails again is parked again.
 */
export async function replayDeadLetters(kafka: Kafka, letters: DeadLetter[]): Promise<number> {
  if (letters.length === 0) return 0;
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    for (const letter of letters) {
      await producer.send({
        topic: letter.origin.topic,
        acks: -1,
        messages: [
          {
            key: letter.key,
            value: letter.value,
            headers: {
              ...letter.headers,
              [REPLAYED_FROM_HEADER]: `${letter.dlqTopic}@${letter.position}`,
            },
          },
        ],
      });
    }
    return letters.length;
  } finally {
    await producer.disconnect();
  }
}
