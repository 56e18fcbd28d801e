import type {
  AgentRecord,
  BatchRecord,
  FeedbackRecord,
  SessionEventRecord,
  SessionRecord,
} from '@reverie/sessions-data-access';
import type { BatchProgress } from '@reverie/sessions-domain';

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
    /** The attempt a managed session is on: 2 and up after the grader asked for a revision. */
    iteration: s.iteration ?? 1,
    playbook: s.playbook ?? null,
    /** A team's playbook version per role; null for a single agent. */
    rolePlaybooks: s.rolePlaybooks ?? null,
    /** The canary trial the session ran in and its arm; null when none. */
    trial: s.trial ?? null,
    batchId: s.batchId ?? null,
    /** What a managed session runs; null for an external one. */
    run: s.run ?? null,
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

/** A batch with its progress, counted from its sessions. */
export function presentBatch(b: BatchRecord, progress: BatchProgress) {
  return {
    id: b._id,
    type: 'batch' as const,
    agentId: b.agentId,
    title: b.title ?? null,
    run: b.run,
    total: b.total,
    counts: progress.counts,
    done: progress.done,
    createdAt: new Date(b.createdAt).toISOString(),
  };
}

/** One session as a batch lists it. */
export function presentBatchSession(s: SessionRecord) {
  return {
    id: s._id,
    status: s.status,
    title: s.title ?? null,
    task: s.run?.task ?? null,
    eventCount: s.lastSeq,
    endReason: s.endReason ?? null,
  };
}
