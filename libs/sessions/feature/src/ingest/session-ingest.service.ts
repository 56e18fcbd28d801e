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

/**
 * Streams the session topic into MongoDB. One consumer owns a partition, so it is the only writer
 * of a session's events and can number them: each event gets the next seq after the last stored
 * one. Re-deliveries and re-sends are recognised by the event's stable id. No transactions: a crash
 * half-way leaves a stored prefix, and the redelivered batch continues after it.
 */
@Injectable()
export class SessionIngestService {
  private readonly logger = new Logger(SessionIngestService.name);

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
    // Sessions are independent; within one, order is kept.
    await Promise.all([...bySession.values()].map((group) => this.ingestSession(group)));
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
    for (let attempt = 1; ; attempt++) {
      const [lastSeq, stored] = await Promise.all([
        this.events.lastSeq(tenantId, sessionId),
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
          await this.sessions.advanceLastSeq(tenantId, sessionId, lastSeq + plan.planned.length);
        }
        return;
      } catch (err) {
        // Another writer (a consumer that lost its partition but has not noticed yet) took a seq
        // or stored one of these events: read again and re-plan.
        if (!isDuplicateKey(err) || attempt >= MAX_SEQ_RACES) throw err;
      }
    }
  }
}
