import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { SessionEndStatus, SessionStarted } from '@reverie/contracts';
import type { ListSessionsQuery } from '@reverie/sessions-domain';
import type { Model, QueryFilter } from 'mongoose';
import { Session } from '../schemas/session.schema';

export type SessionRecord = Session;

@Injectable()
export class SessionRepository {
  constructor(@InjectModel(Session.name) private readonly sessions: Model<Session>) {}

  /**
   * Records a session from its started event; a second delivery of the same event, or a session
   * the gateway already stored when it accepted the request, is left as it is, except that the
   * playbook version is taken from the event when it names one (an orchestrator that starts a
   * managed session knows it; the gateway that created the session did not).
   */
  async upsertStarted(message: SessionStarted): Promise<void> {
    const { playbook } = message.payload;
    await this.sessions
      .updateOne(
        { _id: message.sessionId, tenantId: message.tenantId },
        {
          ...(playbook !== undefined ? { $set: { playbook } } : {}),
          $setOnInsert: {
            batchId: message.payload.batchId,
            agentId: message.agentId,
            status: 'running',
            source: message.payload.source,
            title: message.payload.title,
            metadata: message.payload.metadata,
            lastSeq: 0,
            createdAt: new Date(message.occurredAt),
          },
        },
        { upsert: true },
      )
      .exec();
  }

  findById(tenantId: string, id: string): Promise<SessionRecord | null> {
    return this.sessions.findOne({ _id: id, tenantId }).lean<SessionRecord>().exec();
  }

  /** Newest first, `limit + 1` fetched so the caller knows whether there is more. */
  list(tenantId: string, query: ListSessionsQuery): Promise<SessionRecord[]> {
    const filter: QueryFilter<Session> = { tenantId };
    if (query.agentId) filter.agentId = query.agentId;
    if (query.status) filter.status = query.status;
    if (query.after_id) filter._id = { $lt: query.after_id };
    return this.sessions
      .find(filter)
      .sort({ _id: -1 })
      .limit(query.limit + 1)
      .lean<SessionRecord[]>()
      .exec();
  }

  /** Moves a running session to its end status; returns null if it was not running. */
  end(
    tenantId: string,
    id: string,
    status: SessionEndStatus,
    reason: string | undefined,
    at: Date,
  ): Promise<SessionRecord | null> {
    return this.sessions
      .findOneAndUpdate(
        { _id: id, tenantId, status: 'running' },
        { $set: { status, endReason: reason, endedAt: at } },
        { returnDocument: 'after' },
      )
      .lean<SessionRecord>()
      .exec();
  }

  /** Raises the stored-event watermark; never lowers it, so redeliveries are harmless. */
  async advanceLastSeq(tenantId: string, id: string, lastSeq: number): Promise<void> {
    await this.sessions.updateOne({ _id: id, tenantId }, { $max: { lastSeq } }).exec();
  }
}
