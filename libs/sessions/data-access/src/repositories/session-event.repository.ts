import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { PlannedEvent } from '@reverie/sessions-domain';
import type { Model } from 'mongoose';
import { SessionEvent } from '../schemas/session-event.schema';

export type SessionEventRecord = SessionEvent;

@Injectable()
export class SessionEventRepository {
  constructor(@InjectModel(SessionEvent.name) private readonly events: Model<SessionEvent>) {}

  /** The highest stored seq of a session (0 when none). */
  async lastSeq(tenantId: string, sessionId: string): Promise<number> {
    const last = await this.events
      .findOne({ tenantId, sessionId }, { seq: 1 })
      .sort({ seq: -1 })
      .lean<{ seq: number }>()
      .exec();
    return last?.seq ?? 0;
  }

  /** Which of these event ids are already stored for this tenant's session. */
  async storedIds(tenantId: string, sessionId: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    // Looked up by _id alone, which every MongoDB server answers from its primary index (the
    // local MongoDB-wire server scans for anything else). Event ids are derived from tenant and
    // session, and both are checked on what comes back, so no other tenant's event can match.
    const found = await this.events
      .find({ _id: { $in: ids } }, { _id: 1, tenantId: 1, sessionId: 1 })
      .lean<{ _id: string; tenantId: string; sessionId: string }[]>()
      .exec();
    return new Set(
      found.filter((d) => d.tenantId === tenantId && d.sessionId === sessionId).map((d) => d._id),
    );
  }

  /** Inserts in seq order; stops at the first failure so what is stored stays a prefix. */
  async insertPlanned(planned: PlannedEvent[], storedAt: Date): Promise<void> {
    if (planned.length === 0) return;
    await this.events.insertMany(
      planned.map(({ seq, message }) => {
        const event = message.payload.event;
        return {
          _id: message.id,
          tenantId: message.tenantId,
          sessionId: message.sessionId,
          agentId: message.agentId,
          seq,
          clientEventId: event.clientEventId,
          type: event.type,
          actor: event.actor,
          step: event.step,
          body: event,
          occurredAt: event.occurredAt ? new Date(event.occurredAt) : undefined,
          receivedAt: new Date(message.payload.receivedAt),
          storedAt,
        };
      }),
      { ordered: true, lean: true },
    );
  }

  /** A page of a session's events in seq order, `limit + 1` fetched to tell if there is more. */
  page(
    tenantId: string,
    sessionId: string,
    afterSeq: number,
    limit: number,
  ): Promise<SessionEventRecord[]> {
    return this.events
      .find({ tenantId, sessionId, seq: { $gt: afterSeq } })
      .sort({ seq: 1 })
      .limit(limit + 1)
      .lean<SessionEventRecord[]>()
      .exec();
  }
}
