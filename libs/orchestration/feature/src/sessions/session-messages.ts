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

/**
 * Names a `session.events_appended` of a managed session by its first event and its size, so a
 * re-run publishes the same messages again (nothing de-duplicates on it: its events' ids do).
 */
export function eventsMessageId(to: SessionRef, entries: readonly { id: string }[]): string {
  return sessionEventId(to.tenantId, to.sessionId, `events:${entries[0].id}:${entries.length}`);
}

export function sessionEnded(
  to: SessionRef,
  status: SessionEndStatus,
  reason: string | undefined,
  at: Date,
  iteration = 1,
): SessionTopicMessage {
  return {
    id: lifecycleId(to, iteration === 1 ? 'ended' : `ended:${iteration}`),
    type: 'session.ended',
    ...to,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      status,
      ...(reason ? { reason: reason.slice(0, 2_000) } : {}),
      ...(iteration > 1 ? { iteration } : {}),
    },
  };
}

/** A managed session runs again: attempt `iteration`, answering the grader's outcome. */
export function revisionStarted(
  to: SessionRef,
  iteration: number,
  outcomeId: string,
  at: Date,
): SessionTopicMessage {
  return {
    id: lifecycleId(to, `revision:${iteration}`),
    type: 'session.revision_started',
    ...to,
    occurredAt: at.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: { iteration, outcomeId },
  };
}

/**
 * Events of attempt `iteration`: marked with it, and with ids of their own (environments number
 * their events the same way on every attempt, and the gateway stores an id once).
 */
export function ofIteration(events: SessionEventBody[], iteration: number): SessionEventBody[] {
  if (iteration === 1) return events;
  return events.map((e) => ({
    ...e,
    clientEventId: `i${iteration}.${e.clientEventId}`,
    iteration,
  }));
}
