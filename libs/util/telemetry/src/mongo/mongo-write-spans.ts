import { context, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { tracer } from '../tracing/tracing';

/** The driver's command-monitoring events, as far as spans need them. */
interface CommandStarted {
  requestId: number;
  commandName: string;
  databaseName: string;
  command: Record<string, unknown>;
}
interface CommandEnded {
  requestId: number;
  commandName: string;
  failure?: Error;
}
interface CommandEvents {
  on(event: 'commandStarted', listener: (e: CommandStarted) => void): unknown;
  on(event: 'commandSucceeded' | 'commandFailed', listener: (e: CommandEnded) => void): unknown;
}

/** Commands that write; reads are not traced (they would be most spans and say little). */
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify']);

/**
 * A client span for every MongoDB write, a child of the span active when the write was issued
 * (an HTTP request, a Kafka batch, a dream). Needs a client created with `monitorCommands: true`;
 * wired only while tracing is on.
 */
export function traceMongoWrites(client: CommandEvents): void {
  const open = new Map<number, Span>();
  client.on('commandStarted', (e) => {
    if (!WRITES.has(e.commandName)) return;
    const collection = String(e.command[e.commandName] ?? '');
    const span = tracer().startSpan(
      `mongodb.${e.commandName} ${collection}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'mongodb',
          'db.operation.name': e.commandName,
          'db.collection.name': collection,
          'db.namespace': e.databaseName,
        },
      },
      context.active(),
    );
    open.set(e.requestId, span);
  });
  const end = (e: CommandEnded) => {
    const span = open.get(e.requestId);
    if (!span) return;
    open.delete(e.requestId);
    if (e.failure) span.setStatus({ code: SpanStatusCode.ERROR, message: e.failure.message });
    span.end();
  };
  client.on('commandSucceeded', end);
  client.on('commandFailed', end);
}
