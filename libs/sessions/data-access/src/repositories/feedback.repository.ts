import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { FeedbackSubmitted } from '@reverie/contracts';
import type { Model } from 'mongoose';
import { Feedback } from '../schemas/feedback.schema';
import { isDuplicateKey } from './mongo-errors';

export type FeedbackRecord = Feedback;

@Injectable()
export class FeedbackRepository {
  constructor(@InjectModel(Feedback.name) private readonly feedback: Model<Feedback>) {}

  /** Stores feedback once; a redelivered message is ignored. */
  async record(message: FeedbackSubmitted): Promise<void> {
    try {
      await this.feedback.create({
        _id: message.payload.feedbackId,
        tenantId: message.tenantId,
        sessionId: message.sessionId,
        agentId: message.agentId,
        rating: message.payload.rating,
        comment: message.payload.comment,
        eventId: message.payload.eventId,
        createdAt: new Date(message.occurredAt),
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  forSession(tenantId: string, sessionId: string): Promise<FeedbackRecord[]> {
    return this.feedback
      .find({ tenantId, sessionId })
      .sort({ _id: 1 })
      .lean<FeedbackRecord[]>()
      .exec();
  }

  /** A page of a session's feedback, oldest first, `limit + 1` fetched to tell if there is more. */
  page(
    tenantId: string,
    sessionId: string,
    limit: number,
    afterId?: string,
  ): Promise<FeedbackRecord[]> {
    return this.feedback
      .find({ tenantId, sessionId, ...(afterId ? { _id: { $gt: afterId } } : {}) })
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean<FeedbackRecord[]>()
      .exec();
  }

  /** How much feedback a session has stored, counted no further than `atMost`. */
  count(tenantId: string, sessionId: string, atMost: number): Promise<number> {
    return this.feedback.countDocuments({ tenantId, sessionId }, { limit: atMost }).exec();
  }
}
