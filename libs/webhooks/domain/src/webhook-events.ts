import { createHash } from 'node:crypto';
import type {
  DreamEnded,
  PlaybookTrialEnded,
  PlaybookTrialStarted,
  PlaybookVersionActivated,
} from '@reverie/contracts';
import type { WebhookEventType, WebhookPayload } from './event-types';

/** The Kafka messages webhooks are made from. */
export type WebhookSourceMessage =
  DreamEnded | PlaybookVersionActivated | PlaybookTrialStarted | PlaybookTrialEnded;

/** One webhook event a Kafka message stands for, before it is addressed to subscriptions. */
export interface WebhookEvent {
  type: WebhookEventType;
  tenantId: string;
  /** The envelope id of the Kafka message it came from. */
  sourceId: string;
  /** Tells apart several events of one type from one message (one per proposed playbook). */
  key: string;
  /** When it happened: the source message's `occurredAt`. */
  occurredAt: Date;
  payload: WebhookPayload;
}

/** The public data of `dream.*` events: no tenant, snake_case like the REST API. */
export interface DreamEventData {
  dream_id: string;
  agent_id: string;
  status: DreamEnded['payload']['status'];
  environment: string | null;
  sessions_reviewed: number;
  outputs: Array<{
    type: 'playbook';
    role: string | null;
    version: number;
    status: 'active' | 'proposed';
    /** Set when the proposed version went on a canary trial (`playbook.trial_started`). */
    trial_id?: string;
  }>;
  error: { type: string; message: string } | null;
}

/** `playbook.proposed`: a dream made a version that waits for a person's approval. */
export interface PlaybookProposedData {
  agent_id: string;
  role: string | null;
  version: number;
  status: 'proposed';
  dream_id: string;
}

/** `playbook.updated`: a version became the active one (a dream, a person, a rollback). */
export interface PlaybookUpdatedData {
  agent_id: string;
  playbook_id: string;
  role: string | null;
  version: number;
  status: 'active';
  entry_count: number;
}

type TrialArmData = { sessions: number; graded: number; succeeded: number };

/** `playbook.trial_started` / `playbook.trial_ended`: a canary trial of a dream's candidate. */
export interface PlaybookTrialData {
  trial_id: string;
  agent_id: string;
  dream_id: string;
  /** The versions compared, per role: candidate against control (0: none). */
  playbooks: Array<{ role: string | null; candidate: number; control: number }>;
  /** trial_started: share of new sessions served the candidate. */
  share?: number;
  /** trial_ended: promoted, rolled_back, awaiting_review or stopped, and why. */
  status?: string;
  reason?: string;
  arms?: { candidate: TrialArmData; control: TrialArmData };
}

/**
 * The webhook events a Kafka message stands for: `dream.ended` is `dream.<status>` plus one
 * `playbook.proposed` per proposed output that waits for a person (an output on a canary trial is
 * announced by the trial's own `playbook.trial_started`, as the trial decides it, not a person);
 * `playbook.version_activated` is `playbook.updated`;
 * `playbook.trial_started` and `playbook.trial_ended` are themselves.
 * Anything else stands for none.
 */
export function webhookEventsFor(message: { type: string }): WebhookEvent[] {
  if (message.type === 'dream.ended') return dreamEvents(message as DreamEnded);
  if (message.type === 'playbook.version_activated')
    return [playbookUpdated(message as PlaybookVersionActivated)];
  if (message.type === 'playbook.trial_started' || message.type === 'playbook.trial_ended')
    return [trialEvent(message as PlaybookTrialStarted | PlaybookTrialEnded)];
  return [];
}

function dreamEvents(m: DreamEnded): WebhookEvent[] {
  const base = { tenantId: m.tenantId, sourceId: m.id, occurredAt: new Date(m.occurredAt) };
  const timestamp = base.occurredAt.toISOString();
  const data: DreamEventData = {
    dream_id: m.payload.dreamId,
    agent_id: m.agentId,
    status: m.payload.status,
    environment: m.payload.environment,
    sessions_reviewed: m.payload.sessionsReviewed,
    outputs: m.payload.playbooks.map((p) => ({
      type: 'playbook',
      role: p.role,
      version: p.version,
      status: p.status,
      ...(p.trialId ? { trial_id: p.trialId } : {}),
    })),
    error: m.payload.error
      ? { type: m.payload.error.type, message: m.payload.error.message }
      : null,
  };
  const type = `dream.${m.payload.status}` as const;
  const ended: WebhookEvent = {
    ...base,
    type,
    key: m.payload.dreamId,
    payload: { type, timestamp, data: { ...data } },
  };
  const proposed = m.payload.playbooks
    .filter((p) => p.status === 'proposed' && !p.trialId)
    .map((p): WebhookEvent => {
      const proposal: PlaybookProposedData = {
        agent_id: m.agentId,
        role: p.role,
        version: p.version,
        status: 'proposed',
        dream_id: m.payload.dreamId,
      };
      return {
        ...base,
        type: 'playbook.proposed',
        key: `${p.role ?? ''}/v${p.version}`,
        payload: { type: 'playbook.proposed', timestamp, data: { ...proposal } },
      };
    });
  return [ended, ...proposed];
}

function playbookUpdated(m: PlaybookVersionActivated): WebhookEvent {
  const occurredAt = new Date(m.occurredAt);
  const data: PlaybookUpdatedData = {
    agent_id: m.agentId,
    playbook_id: m.payload.playbookId,
    role: m.payload.role,
    version: m.payload.version,
    status: 'active',
    entry_count: m.payload.entries.length,
  };
  return {
    type: 'playbook.updated',
    tenantId: m.tenantId,
    sourceId: m.id,
    key: `${m.payload.playbookId}/v${m.payload.version}`,
    occurredAt,
    payload: { type: 'playbook.updated', timestamp: occurredAt.toISOString(), data: { ...data } },
  };
}

function trialEvent(m: PlaybookTrialStarted | PlaybookTrialEnded): WebhookEvent {
  const occurredAt = new Date(m.occurredAt);
  const data: PlaybookTrialData = {
    trial_id: m.payload.trialId,
    agent_id: m.agentId,
    dream_id: m.payload.dreamId,
    playbooks: m.payload.playbooks.map((p) => ({
      role: p.role,
      candidate: p.candidate,
      control: p.control,
    })),
    ...(m.type === 'playbook.trial_started'
      ? { share: m.payload.share }
      : { status: m.payload.status, reason: m.payload.reason, arms: m.payload.arms }),
  };
  return {
    type: m.type,
    tenantId: m.tenantId,
    sourceId: m.id,
    key: m.payload.trialId,
    occurredAt,
    payload: { type: m.type, timestamp: occurredAt.toISOString(), data: { ...data } },
  };
}

/**
 * The `webhook-id` of one event sent to one subscription: derived from the source message, so a
 * redelivered Kafka message maps to the same id (and the same stored delivery) instead of a
 * second one. It stays the same across retries, as receivers de-duplicate on it.
 */
export function webhookMessageId(event: WebhookEvent, subscriptionId: string): string {
  const digest = createHash('sha256')
    .update([event.sourceId, event.type, event.key, subscriptionId].join('\n'))
    .digest('hex')
    .slice(0, 32);
  return `msg_${digest}`;
}
