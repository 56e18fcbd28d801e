import {
  DLQ_HEADERS,
  deadLetterTopic,
  SCHEMA_VERSION,
  TOPIC_CONFIGS,
  TOPIC_SCHEMAS,
  TOPICS,
  type TopicName,
} from '@reverie/contracts';
import { stringify } from 'yaml';
import { z } from 'zod';

/**
 * The event contract for services that publish to (or read from) Reverie's topics directly: an
 * AsyncAPI 3 document (`docs/asyncapi.yaml`) and one JSON Schema per message type
 * (`docs/schemas/<topic>/<type>.json`), generated from the topics and zod schemas the services
 * themselves validate with (`TOPIC_SCHEMAS` in @reverie/contracts). `npm run contract` writes
 * them; contract.spec.ts fails when the committed files differ from what this generates.
 */

/** What the code cannot say about a topic: who writes it, its key, and whether others may. */
interface TopicDoc {
  /** The channel id in the AsyncAPI document. */
  id: keyof typeof TOPICS;
  description: string;
  key: string;
  producers: string;
  consumers: string;
  /** Other services may publish here (the gateway's ingest treats them like its own). */
  openToProducers: boolean;
  /** Whether a message its consumers cannot handle goes to `<topic>.dlq` (default true). */
  deadLettered?: boolean;
}

/** Every topic must be described: a new topic without an entry here fails the typecheck. */
export const TOPIC_DOCS: Record<TopicName, TopicDoc> = {
  [TOPICS.sessionEvents]: {
    id: 'sessionEvents',
    description:
      'Everything that happens to one session: started, its events, feedback, revisions, ended. ' +
      'Events come one per message (session.event_appended) or several, in order, per message ' +
      '(session.events_appended: what the gateway publishes for each request and the orchestrator for each step of a managed session); both are stored alike. ' +
      'The gateway ingest stores it in MongoDB (events get their gap-free seq there), in order per session.',
    key: 'The session id (`sessionId`), so a session stays in order on one partition.',
    producers: 'session-gateway (REST API), orchestrator (managed sessions), direct producers',
    consumers:
      'session-gateway (ingest, group reverie-session-gateway), outcome-grader (session.ended)',
    openToProducers: true,
  },
  [TOPICS.runCommands]: {
    id: 'runCommands',
    description: 'Commands to run a managed session; orchestrator replicas share them.',
    key: 'The session id.',
    producers: 'session-gateway (managed sessions and batches)',
    consumers: 'orchestrator',
    openToProducers: false,
  },
  [TOPICS.playbookVersions]: {
    id: 'playbookVersions',
    description:
      'The latest playbook version of each agent (and role). Compacted: reading it from the start ' +
      "gives every agent's current playbook.",
    key: '`<tenantId>/<agentId>` or `<tenantId>/<agentId>/<role>` (the compaction key).',
    producers: 'session-gateway (approvals), dreamer',
    consumers: 'orchestrator (playbook catalog), dreamer (webhooks)',
    openToProducers: false,
  },
  [TOPICS.outcomes]: {
    id: 'outcomes',
    description: "The grader's verdicts, one per graded iteration of a session.",
    key: 'The session id.',
    producers: 'outcome-grader',
    consumers: 'orchestrator (revisions), dreamer (canary trials)',
    openToProducers: false,
  },
  [TOPICS.outcomeCommands]: {
    id: 'outcomeCommands',
    description: 'Requests to the grader to grade a session again.',
    key: 'The session id.',
    producers: 'session-gateway',
    consumers: 'outcome-grader',
    openToProducers: false,
  },
  [TOPICS.dreamCommands]: {
    id: 'dreamCommands',
    description: 'Requests to the dreamer to run a stored pending dream.',
    key: 'The agent id (`agentId`).',
    producers: 'session-gateway, dreamer',
    consumers: 'dreamer',
    openToProducers: false,
  },
  [TOPICS.dreams]: {
    id: 'dreams',
    description:
      'What dreams did when they ended, and the canary trials of their candidates (started, ended).',
    key: 'The agent id.',
    producers: 'dreamer',
    consumers: 'dreamer (webhooks)',
    openToProducers: false,
  },
  [TOPICS.apiKeyRevocations]: {
    id: 'apiKeyRevocations',
    description:
      'API keys revoked; every gateway replica reads all of it with a group of its own. Kept an hour.',
    key: 'The key id.',
    producers: 'session-gateway',
    consumers: 'session-gateway (every replica)',
    openToProducers: false,
    deadLettered: false,
  },
};

/** Headers every Reverie producer sets (EventPublisher); consumers rely on the value alone. */
export const MESSAGE_HEADERS = {
  'reverie-type': 'The message `type` (for routing and tooling without parsing the value).',
  'reverie-schema-version': `The envelope's \`schemaVersion\` as a string: "${SCHEMA_VERSION}".`,
  traceparent: 'Optional W3C trace context of the producing span (set while tracing is on).',
  tracestate: 'Optional W3C trace state, with traceparent.',
} as const;

export const VERSIONING_RULE =
  `Versioning: every topic name ends in its major version (\`.v1\`), and every message carries
\`schemaVersion\` (in the value) and \`reverie-schema-version\` (a header) of that version.
Within a version only compatible changes are made: a new optional field, a wider limit, or a new
message type that every consumer already handles (consumers are deployed first). Unknown fields are
ignored (and dropped) by consumers, so producers may send a newer minor shape to older consumers.
Anything else (a removed, renamed or newly required field, a narrower type, a different key) is a
new topic \`.v2\`: producers write both versions while consumers move over, then \`.v1\` is retired
after its retention. The JSON Schemas here are generated from the same zod schemas the services
validate with; a message that fails them is dead-lettered to \`<topic>.dlq\`, never stored.`.replace(
    /\n/g,
    ' ',
  );

type JsonSchema = Record<string, unknown>;

/** The members of a topic's discriminated union, by message type. */
function messageTypes(topic: TopicName): { type: string; schema: z.ZodType }[] {
  const union = TOPIC_SCHEMAS[topic] as unknown as z.ZodDiscriminatedUnion<z.ZodObject[]>;
  return union.options.map((option) => {
    const literal = option.shape.type as z.ZodLiteral<string>;
    return { type: literal.value, schema: option };
  });
}

/** The JSON Schema (draft 2020-12) of one message type, as a consumer accepts it. */
export function messageJsonSchema(topic: TopicName, type: string, schema: z.ZodType): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://reverie.dev/schemas/${topic}/${type}.json`,
    title: `${type} on ${topic}`,
    description: `The value (JSON) of a \`${type}\` message on the Kafka topic \`${topic}\`. Generated from @reverie/contracts by \`npm run contract\`.`,
    ...omitSchemaKeyword(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })),
  };
}

function omitSchemaKeyword(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** `docs/schemas/...` path of a message type's schema, relative to docs/. */
export function schemaPath(topic: TopicName, type: string): string {
  return `schemas/${topic}/${type}.json`;
}

function headersSchema(): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(
      Object.entries(MESSAGE_HEADERS).map(([name, description]) => [
        name,
        { type: 'string', description },
      ]),
    ),
    required: ['reverie-type', 'reverie-schema-version'],
  };
}

function channel(topic: TopicName) {
  const doc = TOPIC_DOCS[topic];
  return {
    address: topic,
    title: doc.id,
    description: [
      doc.description,
      `Producers: ${doc.producers}. Consumers: ${doc.consumers}.`,
      doc.openToProducers
        ? 'Open to direct producers (see the versioning rule and the examples in the README).'
        : 'Internal: only Reverie services produce here.',
      doc.deadLettered === false
        ? 'A message a consumer cannot handle is logged and skipped (every replica reads every message, so none goes to a dead-letter topic).'
        : `Messages a consumer cannot handle go to \`${deadLetterTopic(topic)}\`.`,
    ].join('\n\n'),
    messages: Object.fromEntries(
      messageTypes(topic).map(({ type }) => [
        type,
        { $ref: `#/components/messages/${messageId(topic, type)}` },
      ]),
    ),
    bindings: {
      kafka: {
        topic,
        bindingVersion: '0.5.0',
        ...topicConfiguration(topic),
      },
    },
  };
}

/**
 * The binding's `topicConfiguration` (AsyncAPI Kafka binding 0.5.0 names and types), from the
 * settings the services create the topic with (`TOPIC_CONFIGS`).
 */
function topicConfiguration(topic: TopicName) {
  const settings = TOPIC_CONFIGS[topic];
  const config: Record<string, unknown> = {};
  if (settings?.['cleanup.policy']) config['cleanup.policy'] = [settings['cleanup.policy']];
  if (settings?.['retention.ms']) config['retention.ms'] = Number(settings['retention.ms']);
  return Object.keys(config).length > 0 ? { topicConfiguration: config } : {};
}

/** Component ids: `<channel id>.<type>` (a type name may appear on more than one topic). */
function messageId(topic: TopicName, type: string): string {
  return `${TOPIC_DOCS[topic].id}.${type}`;
}

function message(topic: TopicName, type: string) {
  return {
    name: type,
    title: `${type} (${topic})`,
    contentType: 'application/json',
    headers: { $ref: '#/components/schemas/MessageHeaders' },
    payload: {
      schemaFormat: 'application/schema+json;version=draft-2020-12',
      schema: { $ref: schemaPath(topic, type) },
    },
    bindings: {
      kafka: {
        key: { type: 'string', description: TOPIC_DOCS[topic].key },
        bindingVersion: '0.5.0',
      },
    },
  };
}

/** The AsyncAPI 3 document, as a plain object. */
export function asyncApiDocument() {
  const topics = Object.values(TOPICS);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Reverie event contract',
      version: String(SCHEMA_VERSION),
      description: [
        'Every Kafka topic Reverie uses: its key, headers and message payloads. Values are UTF-8 JSON; ' +
          'every message is an envelope (`id`, `type`, `tenantId`, `agentId`, `sessionId`, `occurredAt`, ' +
          '`schemaVersion`, `payload`). Consumers de-duplicate on `id`: a re-sent message with the same ' +
          '`id` is stored once. For session events the id is derived from (tenant, session, client ' +
          'event id): see the README, "The event contract".',
        VERSIONING_RULE,
        `Dead letters: \`<topic>.dlq\` holds what a consumer group gave up on, with the headers ${Object.values(
          DLQ_HEADERS,
        )
          .map((h) => `\`${h}\``)
          .join(', ')}.`,
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    channels: Object.fromEntries(topics.map((t) => [TOPIC_DOCS[t].id, channel(t)])),
    operations: {
      publishSessionEvents: {
        action: 'receive',
        title: 'Reverie ingests session events',
        description:
          'What a direct producer publishes to: Reverie receives these and stores them exactly as ' +
          'if they had come through the REST API.',
        channel: { $ref: `#/channels/${TOPIC_DOCS[TOPICS.sessionEvents].id}` },
      },
    },
    components: {
      schemas: { MessageHeaders: headersSchema() },
      messages: Object.fromEntries(
        topics.flatMap((t) =>
          messageTypes(t).map(({ type }) => [messageId(t, type), message(t, type)]),
        ),
      ),
    },
  };
}

/**
 * Every generated file, by path relative to the repository root, with its exact contents (listed
 * in .prettierignore: `npm run format` leaves them as generated).
 */
export function contractFiles(): Record<string, string> {
  const header =
    '# Generated by `npm run contract` from libs/contracts (topics and zod schemas). Do not edit:\n' +
    '# change the code and run it again (contract.spec.ts fails when this file is stale).\n';
  const files: Record<string, string> = {
    'docs/asyncapi.yaml': header + stringify(asyncApiDocument(), { lineWidth: 100 }),
  };
  for (const topic of Object.values(TOPICS)) {
    for (const { type, schema } of messageTypes(topic)) {
      files[`docs/${schemaPath(topic, type)}`] =
        JSON.stringify(messageJsonSchema(topic, type, schema), null, 2) + '\n';
    }
  }
  return files;
}
