import {
  eventAppended,
  SCHEMA_VERSION,
  sessionEventId,
  type SessionEndStatus,
  type SessionEventBody,
  type SessionTopicMessage,
} from '@reverie/contracts';

export interface SessionRef {
  tenantId: string;
  agentId: string;
  sessionId: string;
}

export interface PlaybookRef {
  playbookId: string;
  version: number;
}

// Lifecycle messages get stable ids too, so a re-run publishes the same messages again.
const lifecycleId = (to: SessionRef, what: string) =>
  sessionEventId(to.tenantId, to.sessionId, `lifecycle:${what}`);

/** The managed session's started message: its title, the playbook version it runs with, its batch. */
export function sessionStarted(
  to: SessionRef,
  details: {
    title: string;
    playbook: PlaybookRef | null;
    /** A team's playbook version per role. */
    rolePlaybooks?: Record<string, PlaybookRef | null>;
    batchId?: string;
  },
  at: Date,
): SessionTopicMessage {
  return {
    id: lifecycleId(to, 'started'),
    type: 'session.started',
    ...to,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      source: 'managed',
      title: details.title,
      playbook: details.playbook,
      ...(details.rolePlaybooks ? { rolePlaybooks: details.rolePlaybooks } : {}),
      ...(details.batchId ? { batchId: details.batchId } : {}),
    },
  };
}

export function sessionEvents(
  to: SessionRef,
  events: SessionEventBody[],
  at: Date,
): SessionTopicMessage[] {
  const receivedAt = at.toISOString();
  return events.map((e) => eventAppended(to, e, receivedAt));
}

export function sessionEnded(
  to: SessionRef,
  status: SessionEndStatus,
  reason: string | undefined,
  at: Date,
): SessionTopicMessage {
  return {
    id: lifecycleId(to, 'ended'),
    type: 'session.ended',
    ...to,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: { status, ...(reason ? { reason: reason.slice(0, 2_000) } : {}) },
  };
}
