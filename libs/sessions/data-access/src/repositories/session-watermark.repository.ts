import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Session } from '../schemas/session.schema';

/** How far a session's events are stored: every seq up to `lastSeq`, without gaps. */
export interface StoredWatermark {
  tenantId: string;
  sessionId: string;
  lastSeq: number;
}

/**
 * The ingest's stored-event watermarks (`sessions.lastSeq`, what `eventCount` shows), written for
 * all sessions of a consumed batch at once: one round trip per batch instead of one per session
 * and batch. Same query as `SessionRepository.advanceLastSeq` (by `{ _id, tenantId }`).
 */
@Injectable()
export class SessionWatermarkRepository {
  constructor(@InjectModel(Session.name) private readonly sessions: Model<Session>) {}

  /** Raises each watermark, never lowers one; unordered, as each stands alone and may repeat. */
  async advance(marks: StoredWatermark[]): Promise<void> {
    if (marks.length === 0) return;
    await this.sessions.collection.bulkWrite(
      marks.map(({ tenantId, sessionId, lastSeq }) => ({
        updateOne: { filter: { _id: sessionId as never, tenantId }, update: { $max: { lastSeq } } },
      })),
      { ordered: false },
    );
  }
}
