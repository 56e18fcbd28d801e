import { Injectable, Logger } from '@nestjs/common';
import type { SessionEventAppended, SessionTopicMessage } from '@reverie/contracts';
import {
  FeedbackRepository,
  isDuplicateKey,
  SessionEventRepository,
  SessionRepository,
} from '@reverie/sessions-data-access';
import { planAppend } from '@reverie/sessions-domain';

const MAX_SEQ_RACES = 3;
/** Bound on the sessions whose last seq is remembered (a few MB at most). */
const MAX_REMEMBERED_SESSIONS = 50_000;

/**
 * Streams the session topic into MongoDB. One consumer owns a partition, so it is the only writer
 * of a session's events and can number them: each event gets the next seq after the last stored
 * one. Re-deliveries and re-sends are recognised by the event's stable id. No transactions: a crash
 * half-way leaves a stored prefix, and the redelivered batch continues after it. Failures are
 * thrown to the Kafka transport, which retries them or dead-letters the message that causes them.
 */
@Injectable()
export class SessionIngestService {
  private readonly logger = new Logger(SessionIngestService.name);
  private readonly lastSeqs = new Map<string, number>();

  constructor(
    private readonly sessions: SessionRepository,
    private readonly events: SessionEventRepository,
    private readonly feedback: FeedbackRepository,
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
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async ingestSession(messages: SessionTopicMessage[]): Promise<void> {
    let run: SessionEventAppended[] = [];
    for (const message of messages) {
      if (message.type === 'session.event_appended') {
        run.push(message);
        continue;
      }
      await this.storeEvents(run);
      run = [];
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
          break;
      }
    }
    await this.storeEvents(run);
  }

  private async storeEvents(run: SessionEventAppended[]): Promise<void> {
    if (run.length === 0) return;
    const { tenantId, sessionId } = run[0];
    const key = `${tenantId}\u0000${sessionId}`;
    for (let attempt = 1; ; attempt++) {
      const [lastSeq, stored] = await Promise.all([
        this.lastSeq(key, tenantId, sessionId),
        this.events.storedIds(
          tenantId,
          sessionId,
          run.map((m) => m.id),
        ),
      ]);
      const plan = planAppend(lastSeq, stored, run);
      try {
        await this.events.insertPlanned(plan.planned, new Date());
        if (plan.planned.length) {
          const newLast = lastSeq + plan.planned.length;
          this.rememberLastSeq(key, newLast);
          await this.sessions.advanceLastSeq(tenantId, sessionId, newLast);
        }
        return;
      } catch (err) {
        // The remembered seq was stale (this replica lost the partition for a while and another
        // stored events meanwhile), or a consumer that lost its partition but has not noticed yet
        // took a seq: the unique (session, seq) index refused the first insert. Read and re-plan.
        this.lastSeqs.delete(key);
        if (!isDuplicateKey(err) || attempt >= MAX_SEQ_RACES) throw err;
      }
    }
  }

  /**
   * The last stored seq of a session. This consumer is the only writer of the session's
   * partition, so it remembers what it wrote instead of asking MongoDB every batch; if the memory
   * is stale the unique index says so and it asks again.
   */
  private async lastSeq(key: string, tenantId: string, sessionId: string): Promise<number> {
    return this.lastSeqs.get(key) ?? this.events.lastSeq(tenantId, sessionId);
  }

  private rememberLastSeq(key: string, seq: number): void {
    if (this.lastSeqs.size >= MAX_REMEMBERED_SESSIONS) this.lastSeqs.clear();
    this.lastSeqs.set(key, seq);
  }
}
