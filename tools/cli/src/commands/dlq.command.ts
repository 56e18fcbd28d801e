import {
  createKafka,
  listDeadLetterTopics,
  readDeadLetters,
  replayDeadLetters,
  type DeadLetter,
  type KafkaConnection,
} from '@reverie/kafka';
import { CliError } from '../api.client';
import type { CommandContext } from './command-context';

export type DlqOptions =
  | { action: 'list'; brokers: string[]; topic?: string }
  | { action: 'replay'; brokers: string[]; topic: string; position?: string };

const line = (d: DeadLetter) =>
  [
    `${d.dlqTopic} ${d.position}`,
    `from ${d.origin.topic}[${d.origin.partition ?? '?'}]@${d.origin.offset ?? '?'}`,
    d.failedAt ?? '-',
    d.consumerGroup ? `group ${d.consumerGroup}` : '',
    `\n    ${d.reason}`,
  ]
    .filter(Boolean)
    .join('  ');

/** Checks `dlq` arguments; `usage` throws the usage error. */
export function dlqOptions(
  sub: string | undefined,
  values: { topic?: string; offset?: string },
  brokers: string[],
  usage: (message: string) => never,
): DlqOptions {
  if (sub === 'list') return { action: 'list', brokers, topic: values.topic };
  if (sub === 'replay') {
    if (!values.topic) usage('dlq replay needs --topic <topic> (and --offset <partition:offset>)');
    if (values.offset !== undefined && !/^(\d+:)?\d+$/.test(values.offset))
      usage(`--offset must look like 3:17 (partition:offset) or 17, not "${values.offset}"`);
    return { action: 'replay', brokers, topic: values.topic, position: values.offset };
  }
  usage('dlq needs list or replay');
}

/**
 * `reverie dlq list|replay`: the messages consumers gave up on, read straight from Kafka
 * (KAFKA_BROKERS), and their replay to the original topic once the cause is fixed.
 */
export async function dlqCommand(
  ctx: CommandContext,
  opts: DlqOptions & { connection?: KafkaConnection },
): Promise<number> {
  const kafka = createKafka(
    { clientId: 'reverie-cli', brokers: opts.brokers, ...opts.connection },
    { quiet: true },
  );
  const topics = opts.topic ? [opts.topic] : await listDeadLetterTopics(kafka);
  const letters = (await Promise.all(topics.map((t) => readDeadLetters(kafka, t)))).flat();
  if (opts.action === 'list') {
    if (ctx.json) ctx.out(JSON.stringify(letters, null, 2));
    else ctx.out(letters.length ? letters.map(line).join('\n') : 'no dead letters');
    return 0;
  }
  const chosen = opts.position
    ? letters.filter((d) =>
        opts.position?.includes(':')
          ? d.position === opts.position
          : d.position.endsWith(`:${opts.position}`),
      )
    : letters;
  if (opts.position && chosen.length !== 1) {
    throw new CliError(
      chosen.length === 0
        ? `no dead letter at ${opts.position} on ${letters[0]?.dlqTopic ?? opts.topic}; see reverie dlq list --topic ${opts.topic}`
        : `offset ${opts.position} is on several partitions; name one as <partition>:${opts.position}`,
      2,
    );
  }
  const replayed = await replayDeadLetters(kafka, chosen);
  if (ctx.json) ctx.out(JSON.stringify({ replayed: chosen.map((d) => d.position) }));
  else {
    const to = [...new Set(chosen.map((d) => d.origin.topic))].join(', ');
    ctx.out(`replayed ${replayed} dead letter(s)${to ? ` to ${to}` : ''}`);
  }
  return 0;
}
