import { z } from 'zod';
import { apiKeyTopicMessageSchema } from './api-keys/api-key.events';
import { dreamCommandMessageSchema, dreamTopicMessageSchema } from './dreams/dream.events';
import { outcomeCommandMessageSchema, outcomeTopicMessageSchema } from './outcomes/outcome.events';
import { playbookTopicMessageSchema } from './playbooks/playbook.events';
import { runTopicMessageSchema } from './runs/run.events';
import { sessionTopicMessageSchema } from './sessions/session.events';
import { describePath, findUnstorable, MAX_MESSAGE_DEPTH } from './storable';
import { playbookKey, TOPICS, type TopicName } from './topics.constant';

/** The schema of every message allowed on each topic; used by producers and consumers alike. */
export const TOPIC_SCHEMAS = {
  [TOPICS.sessionEvents]: sessionTopicMessageSchema,
  [TOPICS.runCommands]: runTopicMessageSchema,
  [TOPICS.playbookVersions]: playbookTopicMessageSchema,
  [TOPICS.outcomes]: outcomeTopicMessageSchema,
  [TOPICS.outcomeCommands]: outcomeCommandMessageSchema,
  [TOPICS.dreamCommands]: dreamCommandMessageSchema,
  [TOPICS.dreams]: dreamTopicMessageSchema,
  [TOPICS.apiKeyRevocations]: apiKeyTopicMessageSchema,
} satisfies Record<TopicName, z.ZodType>;

export type TopicMessage<T extends TopicName> = z.infer<(typeof TOPIC_SCHEMAS)[T]>;

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Renders zod issues as one readable line: `payload.event.type: Invalid input; ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates a decoded message against its topic's schema. */
export function validateMessage<T extends TopicName>(
  topic: T,
  value: unknown,
): ValidationResult<TopicMessage<T>> {
  // The map is keyed by topic, so the schema found yields that topic's message type.
  const schema = TOPIC_SCHEMAS[topic] as z.ZodType | undefined;
  if (!schema) return { ok: false, reason: `no schema is registered for topic "${topic}"` };
  // Before the schema: what MongoDB would refuse, and nesting that would overflow the stack.
  const unstorable = findUnstorable(value, MAX_MESSAGE_DEPTH);
  if (unstorable) {
    return { ok: false, reason: `${describePath(unstorable.path)} ${unstorable.message}` };
  }
  const parsed = schema.safeParse(value);
  return parsed.success
    ? { ok: true, value: parsed.data as TopicMessage<T> }
    : { ok: false, reason: describeIssues(parsed.error) };
}

/** Decodes a raw Kafka value (JSON bytes) and validates it; never throws. */
export function decodeMessage<T extends TopicName>(
  topic: T,
  raw: Buffer | string | null,
): ValidationResult<TopicMessage<T>> {
  if (raw === null || raw.length === 0) return { ok: false, reason: 'message has no value' };
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch (err) {
    return { ok: false, reason: `value is not JSON: ${(err as Error).message}` };
  }
  return validateMessage(topic, value);
}

/**
 * The Kafka key of a message: its aggregate, so that order holds where it matters. Session
 * messages go by session; playbook versions by agent (and role), which is also what compaction
 * keeps the latest of.
 */
export function messageKey<T extends TopicName>(topic: T, message: TopicMessage<T>): string {
  if (topic === TOPICS.playbookVersions) {
    const m = message as TopicMessage<typeof TOPICS.playbookVersions>;
    return playbookKey(m.tenantId, m.agentId, m.payload.role);
  }
  return message.sessionId ?? message.agentId;
}
