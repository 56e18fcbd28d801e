import type {
  AgentRecord,
  FeedbackRecord,
  SessionEventRecord,
  SessionRecord,
} from '@reverie/sessions-data-access';

/** The public shapes of stored records: ids as `id`, no tenant, ISO dates. */
export function presentAgent(a: AgentRecord) {
  return {
    id: a._id,
    type: 'agent' as const,
    name: a.name,
    description: a.description ?? null,
    roles: a.roles,
    model: a.model,
    dreaming: a.dreaming,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

export function presentSession(s: SessionRecord) {
  return {
    id: s._id,
    type: 'session' as const,
    agentId: s.agentId,
    status: s.status,
    source: s.source,
    title: s.title ?? null,
    metadata: s.metadata ?? {},
    eventCount: s.lastSeq,
    playbook: s.playbook ?? null,
    batchId: s.batchId ?? null,
    createdAt: new Date(s.createdAt).toISOString(),
    endedAt: s.endedAt ? new Date(s.endedAt).toISOString() : null,
    endReason: s.endReason ?? null,
  };
}

export function presentEvent(e: SessionEventRecord) {
  return {
    ...e.body,
    id: e._id,
    seq: e.seq,
    receivedAt: new Date(e.receivedAt).toISOString(),
    storedAt: new Date(e.storedAt).toISOString(),
  };
}

export function presentFeedback(f: FeedbackRecord) {
  return {
    id: f._id,
    type: 'feedback' as const,
    sessionId: f.sessionId,
    rating: f.rating,
    comment: f.comment ?? null,
    eventId: f.eventId ?? null,
    createdAt: new Date(f.createdAt).toISOString(),
  };
}
