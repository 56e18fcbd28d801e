import {
  encodeEventsAppended,
  eventAppendedEncoder,
  eventsAppendedEntryBytes,
  MAX_EVENTS_PER_MESSAGE,
  SCHEMA_VERSION,
  sessionEventId,
  TOPICS,
  type EventsAppendedEntry,
  type SessionEventAppended,
  type SessionEventBody,
  type SessionTopicMessage,
} from '@reverie/contracts';
import { checkMessage, type EncodedMessage, type EventPublisher } from './event-publisher';
import { chunkBySize, MAX_PRODUCE_BYTES } from './produce-size';

/**
 * How session events go to Kafka (`EVENT_MESSAGES`): `batch`, the events a producer appends
 * together (a gateway request, an orchestrator step) as one `session.events_appended` record (one
 * per ~900 kB or `MAX_EVENTS_PER_MESSAGE` events); `single`, one `session.event_appended` record
 * per event, for ingest consumers of a version that does not read `session.events_appended` yet.
 * Both are stored alike: same ids, same order.
 */
export const EVENT_MESSAGE_FORMS = ['batch', 'single'] as const;
export type EventMessages = (typeof EVENT_MESSAGE_FORMS)[number];

type SessionTopic = typeof TOPICS.sessionEvents;

/** A record for the session topic: the message, its JSON and (at most) the JSON's UTF-8 bytes. */
export interface SessionRecord extends EncodedMessage<SessionTopic> {
  bytes: number;
}

/** An event body checked against the contract, with its JSON made once (and measured). */
export interface PreparedSessionEvent {
  event: SessionEventBody;
  json: string;
  bytes: number;
}

/** The session a group of events is appended to. */
export interface SessionAddress {
  tenantId: string;
  agentId: string;
  sessionId: string;
}

/** Names a `session.events_appended` record (nothing de-duplicates on it; its entries' ids do). */
export type EventsMessageId = (
  to: SessionAddress,
  entries: readonly EventsAppendedEntry[],
) => string;

/**
 * The events' share of one `session.events_appended` record: the produce bound less room for the
 * envelope around them (ids and a timestamp: well under 1 kB).
 */
const MAX_RECORD_EVENT_BYTES = MAX_PRODUCE_BYTES - 4_096;
const ENVELOPE_BYTES = MAX_PRODUCE_BYTES - MAX_RECORD_EVENT_BYTES;

/**
 * Encodes one session's events received together (`receivedAt`) as the records `form` asks for,
 * in order, reusing each body's JSON. Returns the records and the id each event is stored under
 * (`sessionEventId` of its `clientEventId`, in either form).
 */
export function encodeSessionEvents(
  to: SessionAddress,
  receivedAt: string,
  events: readonly PreparedSessionEvent[],
  form: EventMessages,
  messageId: EventsMessageId,
): { records: SessionRecord[]; ids: string[] } {
  if (form === 'single') {
    const encode = eventAppendedEncoder(to, receivedAt);
    const records = events.map((p) => encode(p.event, p.json, p.bytes));
    return { records, ids: records.map((r) => r.message.id) };
  }
  const entries = events.map((p) =>
    eventsEntry(sessionEventId(to.tenantId, to.sessionId, p.event.clientEventId), p),
  );
  return {
    records: eventsAppendedRecords(to, receivedAt, entries, messageId),
    ids: entries.map((e) => e.id),
  };
}

function eventsEntry(id: string, p: PreparedSessionEvent): EventsAppendedEntry {
  return { id, event: p.event, json: p.json, bytes: eventsAppendedEntryBytes(id, p.bytes) };
}

/**
 * Entries of one session as `session.events_appended` records, in order: one per
 * `MAX_RECORD_EVENT_BYTES` of events or `MAX_EVENTS_PER_MESSAGE` events.
 */
function eventsAppendedRecords(
  to: SessionAddress,
  receivedAt: string,
  entries: readonly EventsAppendedEntry[],
  messageId: EventsMessageId,
): SessionRecord[] {
  const records: SessionRecord[] = [];
  for (const bySize of chunkBySize([...entries], (e) => e.bytes, MAX_RECORD_EVENT_BYTES)) {
    for (let i = 0; i < bySize.length; i += MAX_EVENTS_PER_MESSAGE) {
      const part = bySize.slice(i, i + MAX_EVENTS_PER_MESSAGE);
      const encoded = encodeEventsAppended(to, messageId(to, part), receivedAt, part);
      // At most: the entries and room for the envelope.
      const bytes = part.reduce((sum, e) => sum + e.bytes, ENVELOPE_BYTES);
      records.push({ ...encoded, bytes });
    }
  }
  return records;
}

/**
 * Produces one session's records in order, in as few produce requests as the produce bound
 * allows (several when they are larger than the broker takes at once; one session is one
 * partition, so order holds). Should a later request fail, what was sent keeps its ids: a retry
 * stores nothing twice.
 */
export async function publishSessionRecords(
  publisher: EventPublisher,
  records: readonly SessionRecord[],
): Promise<void> {
  for (const chunk of chunkBySize([...records], (r) => r.bytes)) {
    await publisher.publishEncoded(TOPICS.sessionEvents, chunk);
  }
}

/**
 * Publishes a producer's messages for the session topic, in order, in the form `form` asks for.
 * Each message is checked against the contract first (`ContractViolationError`, nothing sent, as
 * `EventPublisher.publish`). With `single` each is a record of its own, as `EventPublisher.publish`
 * sends them; with `batch`, each run of consecutive `session.event_appended` of one session
 * received together (same `receivedAt`: what its producer appended at once) goes as
 * `session.events_appended` records (the entries keep the messages' ids, so each event is stored
 * exactly as its own message would be), and other messages (a session's start and end, say) keep
 * records of their own between them.
 */
export async function publishSessionMessages(
  publisher: EventPublisher,
  messages: readonly SessionTopicMessage[],
  form: EventMessages,
  messageId: EventsMessageId,
): Promise<void> {
  const checked = messages.map((message) => checkMessage(TOPICS.sessionEvents, message));
  const records: SessionRecord[] = [];
  let run: SessionEventAppended[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    const [first] = run;
    const to = { tenantId: first.tenantId, agentId: first.agentId, sessionId: first.sessionId };
    const entries = run.map((m) => {
      const json = JSON.stringify(m.payload.event);
      return eventsEntry(m.id, { event: m.payload.event, json, bytes: Buffer.byteLength(json) });
    });
    records.push(...eventsAppendedRecords(to, first.payload.receivedAt, entries, messageId));
    run = [];
  };
  for (const message of checked) {
    if (form === 'batch' && message.type === 'session.event_appended' && batchable(message)) {
      if (run.length > 0 && !together(run[0], message)) endRun();
      run.push(message);
      continue;
    }
    endRun();
    const value = JSON.stringify(message);
    records.push({ message, value, bytes: Buffer.byteLength(value) });
  }
  endRun();
  await publishSessionRecords(publisher, records);
}

/** Whether a batch stores the message as it is (its occurredAt is what a batch gives it). */
function batchable(m: SessionEventAppended): boolean {
  return (
    m.schemaVersion === SCHEMA_VERSION &&
    m.occurredAt === (m.payload.event.occurredAt ?? m.payload.receivedAt)
  );
}

/** Whether `b` goes in the same `session.events_appended` as `a`. */
function together(a: SessionEventAppended, b: SessionEventAppended): boolean {
  return (
    a.tenantId === b.tenantId &&
    a.agentId === b.agentId &&
    a.sessionId === b.sessionId &&
    a.payload.receivedAt === b.payload.receivedAt
  );
}
