import { Injectable, Logger } from '@nestjs/common';
import {
  eventsAppendedMessages,
  type SessionEventAppended,
  type SessionTopicMessage,
} from '@reverie/contracts';
import {
  EventPageConflict,
  FeedbackRepository,
  isDuplicateKey,
  SessionEventRepository,
  SessionRepository,
  SessionWatermarkRepository,
  type SessionLog,
  type StoredWatermark,
} from '@reverie/sessions-data-access';
import { planAppend } from '@reverie/sessions-domain';
import { ReverieMetrics } from '@reverie/telemetry';

const MAX_SEQ_RACES = 3;
/** Bound on the event ids remembered across sessions (about 100 bytes each: 25 MB at most). */
const MAX_REMEMBERED_IDS = 250_000;

/**
 * Streams the session topic into MongoDB. One consumer owns a partition, so it is the only writer
 * of a session's events and can number them: each event gets the next seq after the last stored
 * one. Re-deliveries and re-sends are recognised by the event's stable id. Events are stored in
 * pages of a session (see SessionEventPage): a batch costs one write per page it touches, not one
 * document per event. No transactions: a crash half-way leaves a stored prefix, and the
 * redelivered batch continues after it. Failures are thrown to the Kafka transport, which retries
 * them or dead-letters the message that causes them.
 */
@Injectable()
export class SessionIngestService {
  private readonly logger = new Logger(SessionIngestService.name);
  /** What this consumer wrote of each session, most recently used last. */
  private readonly logs = new Map<string, { log: SessionLog; ids: number }>();
  private rememberedIds = 0;

  constructor(
    private readonly sessions: SessionRepository,
    private readonly events: SessionEventRepository,
    private readonly watermarks: SessionWatermarkRepository,
    private readonly feedback: FeedbackRepository,
    private readonly metrics: ReverieMetrics,
  ) {}

  async ingest(messages: SessionTopicMessage[]): Promise<void> {
    const bySession = new Map<string, SessionTopicMessage[]>();
    for (const message of messages) {
      const key = `${message.tenantId}\u0000${message.sessionId}`;
      const group = bySession.get(key);
      if (group) group.push(message);
      else bySession.set(key, [message]);
    }
    // Sessions are independent; within one, order is kept. Every session finishes before a
    // failure is reported, so the transport's retry never races a write still in flight.
    const results = await Promise.allSettled(
      [...bySession.values()].map((group) => this.ingestSession(group)),
    );
    // The watermarks of every session whose events are stored, in one write for the batch (one
    // per session and batch cost a round trip each). A failed session's stays where it was: its
    // redelivery stores the rest and raises it.
    await this.watermarks.advance(
      results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : [])),
    );
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * Handles one session's messages in order; returns the watermark its stored events reached, for
   * the caller to write (null: no events in the batch, or written already).
   */
  private async ingestSession(messages: SessionTopicMessage[]): Promise<StoredWatermark | null> {
    let run: SessionEventAppended[] = [];
    for (const message of messages) {
      if (message.type === 'session.event_appended') {
        run.push(message);
        continue;
      }
      if (message.type === 'session.events_appended') {
        // Stored exactly as its events sent one by one would be (same ids, same order).
        for (const event of eventsAppendedMessages(message)) run.push(event);
        continue;
      }
      const stored = await this.storeEvents(run);
      run = [];
      // What comes next (an end, say) is read as coming after the events before it: their
      // watermark is written first.
      if (stored) await this.watermarks.advance([stored]);
      switch (message.type) {
        case 'session.started':
          await this.sessions.upsertStarted(message).catch((err) => {
            // The id exists under another tenant: never overwrite it.
            if (!isDuplicateKey(err)) throw err;
            this.logger.warn(`ignored session.started ${message.id}: session id already taken`);
          });
          break;
        case 'session.ended':
          await this.sessions.end(
            message.tenantId,
            message.sessionId,
            message.payload.status,
            message.payload.reason,
            new Date(message.occurredAt),
            message.payload.iteration,
          );
          // Whoever wrote the status (the gateway answers its request with it), the events sent
          // before this end are stored now: the grader waits for this mark.
          await this.sessions.markEndStored(
            message.tenantId,
            message.sessionId,
            message.payload.iteration ?? 1,
          );
          break;
        case 'session.revision_started':
          await this.sessions.startRevision(
            message.tenantId,
            message.sessionId,
            message.payload.iteration,
          );
          break;
        case 'session.feedback_submitted':
          await this.feedback.record(message);
          // After the feedback, so a reader that sees the flag finds it (see markFeedback).
          await this.sessions.markFeedback(message.tenantId, message.sessionId);
          break;
      }
    }
    return this.storeEvents(run);
  }

  /**
   * Stores a run of one session's events; returns the watermark to write. Also when nothing was
   * new: a redelivery after the events were stored but the watermark write failed must still
   * raise it (`$max`, so a repeat is harmless).
   */
  private async storeEvents(run: SessionEventAppended[]): Promise<StoredWatermark | null> {
    if (run.length === 0) return null;
    const { tenantId, sessionId, agentId } = run[0];
    const key = `${tenantId}\u0000${sessionId}`;
    for (let attempt = 1; ; attempt++) {
      const log = await this.log(key, tenantId, sessionId);
      const plan = planAppend(log.lastSeq, log.ids, run);
      try {
        await this.events.append(log, agentId, plan.planned, new Date());
        this.remember(key, log);
        this.metrics.eventsStored(plan.planned.length);
        return { tenantId, sessionId, lastSeq: log.lastSeq };
      } catch (err) {
        // The remembered log was stale (this replica lost the partition for a while and another
        // stored events meanwhile), or a consumer that lost its partition but has not noticed yet
        // wrote first: the tail page's count or a new page's _id refused the write. Re-read.
        this.forget(key);
        if (!(err instanceof EventPageConflict || isDuplicateKey(err)) || attempt >= MAX_SEQ_RACES)
          throw err;
      }
    }
  }

  /**
   * The session's stored state. This consumer is the only writer of the session's partition, so
   * it remembers what it wrote instead of reading the pages every batch; if the memory is stale
   * the page writes say so and it reads again.
   */
  private async log(key: string, tenantId: string, sessionId: string): Promise<SessionLog> {
    const known = this.logs.get(key);
    if (known) return known.log;
    return this.events.loadLog(tenantId, sessionId);
  }

  /** Keeps `log` as the most recently used; forgets the least recently used past the bound. */
  private remember(key: string, log: SessionLog): void {
    this.forget(key);
    this.logs.set(key, { log, ids: log.ids.size });
    this.rememberedIds += log.ids.size;
    for (const oldest of this.logs.keys()) {
      if (this.rememberedIds <= MAX_REMEMBERED_IDS || oldest === key) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const known = this.logs.get(key);
    if (!known) return;
    this.rememberedIds -= known.ids;
    this.logs.delete(key);
  }
}
