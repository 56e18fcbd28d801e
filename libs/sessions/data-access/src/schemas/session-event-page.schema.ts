import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { SessionEventBody } from '@reverie/contracts';
import type { HydratedDocument } from 'mongoose';

/** One stored event inside its page: what the client sent, its envelope id and its seq. */
export interface PageEvent {
  /** The envelope id, derived from (tenant, session, client event id): a re-send maps to it. */
  _id: string;
  seq: number;
  body: SessionEventBody;
  occurredAt?: Date;
  receivedAt: Date;
  storedAt: Date;
}

/**
 * A page of one session's events (the bucket pattern): up to PAGE_EVENTS consecutive seqs (fewer
 * when their bodies pass PAGE_BYTES), addressed by `<tenant>|<session>|<page>` so that a session's
 * events are read by `_id` alone, which every MongoDB server (the embedded one included) answers
 * from its primary index whatever the collection holds. Page k+1 exists only once page k is full
 * or `closed`, so a session's pages are 0, 1, 2, ... without holes and its events are gap-free.
 * Tenant and session ids cannot contain `|` (the envelope's id pattern), so the `_id` is unique.
 */
@Schema({ collection: 'session_event_pages', minimize: false, versionKey: false })
export class SessionEventPage {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ required: true }) tenantId!: string;
  @Prop({ required: true }) sessionId!: string;
  @Prop({ required: true }) agentId!: string;
  /** The page's position in the session: 0, 1, 2, ... */
  @Prop({ required: true }) page!: number;
  /** The seq of the page's first event. */
  @Prop({ required: true }) firstSeq!: number;
  /** How many events the page holds (the writers' optimistic-concurrency check). */
  @Prop({ required: true }) n!: number;
  /** Approximate JSON bytes of the page's bodies (a page closes before 16 MB). */
  @Prop({ required: true }) bytes!: number;
  /**
   * True when the page closed before PAGE_EVENTS because the next body did not fit; false from
   * the page's insert on (pages stored before that lack it).
   */
  @Prop() closed?: boolean;
  @Prop({ type: [Object], required: true }) events!: PageEvent[];
}

export type SessionEventPageDocument = HydratedDocument<SessionEventPage>;
export const SessionEventPageSchema = SchemaFactory.createForClass(SessionEventPage);
// Serves: a session's pages in order on a real MongoDB (the migration's check of what a session
// already holds, `find({tenantId, sessionId}).sort({page: 1})`), and guarantees one page k per
// (tenant, session) even if two tenants' ids ever joined to the same `_id`. Reads on the hot path
// go by `_id` (`$in` of computed page ids) and need no other index.
SessionEventPageSchema.index({ tenantId: 1, sessionId: 1, page: 1 }, { unique: true });
// Serves: the ingest's guarded tail append, `updateOne({_id, n, closed: false})`
// (SessionEventRepository.append through writePages). Redundant on a real MongoDB, where `_id`
// finds the page; the embedded MongoDB-wire server uses an index only when a filter's fields are
// exactly a unique index's keys, and scanned every page of every session on each append without it.
SessionEventPageSchema.index({ _id: 1, n: 1, closed: 1 }, { unique: true });
