import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { SessionEventType } from '@reverie/contracts';
import type { PlannedEvent } from '@reverie/sessions-domain';
import type { Model } from 'mongoose';
import {
  logFromPages,
  planPageWrites,
  type SessionLog,
  type SizedEvent,
} from '../pages/event-pages';
import { readPagesFrom, readPagesWithin, readSessionPages } from '../pages/page-reads';
import { writePages } from '../pages/page-writes';
import { SessionEventPage, type PageEvent } from '../schemas/session-event-page.schema';

/** One stored event as the API shows it. */
export interface SessionEventRecord extends PageEvent {
  tenantId: string;
  sessionId: string;
  agentId: string;
  clientEventId: string;
  type: SessionEventType;
  actor?: string;
  step?: number;
}

export { EventPageConflict } from '../pages/page-writes';

/**
 * Most JSON bytes of event bodies one API page of events holds (about one stored page): a page of
 * 1,000 events of 250 KB each would otherwise be a 250 MB answer built in the gateway's memory.
 */
export const EVENTS_PAGE_BYTES = 4 * 1024 * 1024;

/** What loading a writer's log reads of each page: no bodies. */
const LOG_FIELDS = { page: 1, n: 1, bytes: 1, closed: 1, firstSeq: 1, 'events._id': 1 } as const;

@Injectable()
export class SessionEventRepository {
  constructor(
    @InjectModel(SessionEventPage.name) private readonly pages: Model<SessionEventPage>,
  ) {}

  /** What is stored of a session: last seq, every event id, the tail page (reads its pages). */
  async loadLog(tenantId: string, sessionId: string): Promise<SessionLog> {
    const pages = (await readSessionPages(this.pages, tenantId, [sessionId], LOG_FIELDS)).get(
      sessionId,
    )!;
    return logFromPages(tenantId, sessionId, pages as unknown as SessionEventPage[]);
  }

  /**
   * Stores `planned` (numbered after `log.lastSeq`) and, once stored, advances `log` to match.
   * Writes in seq order, each write a whole number of events: the tail page's append (guarded by
   * its event count, so a second writer's append is refused), then the new pages, ordered (a
   * page that exists refuses the insert). A crash between writes leaves a stored prefix that a
   * redelivery, reading the pages again, continues after.
   */
  async append(
    log: SessionLog,
    agentId: string,
    planned: PlannedEvent[],
    storedAt: Date,
  ): Promise<void> {
    if (planned.length === 0) return;
    const writes = planPageWrites(
      log,
      agentId,
      planned.map((p) => sized(p, storedAt)),
    );
    await writePages(this.pages.collection, writes);
    for (const p of planned) log.ids.add(p.message.id);
    log.lastSeq = planned[planned.length - 1].seq;
    log.tail = writes.tail;
  }

  /**
   * A page of the API (GET /v1/sessions/:id/events): at most `limit` events after `afterSeq` and
   * at most `maxBytes` of their bodies as JSON, at least one; reads only the stored pages it needs.
   */
  async apiPage(
    tenantId: string,
    sessionId: string,
    afterSeq: number,
    limit: number,
    maxBytes = EVENTS_PAGE_BYTES,
  ): Promise<{ events: SessionEventRecord[]; hasMore: boolean }> {
    const { pages, more } = await readPagesWithin<SessionEventPage>(
      this.pages,
      tenantId,
      sessionId,
      afterSeq,
      limit,
      maxBytes,
    );
    return cutPage(pages, afterSeq, limit, maxBytes, more);
  }

  /** A page of a session's events in seq order, `limit + 1` fetched to tell if there is more. */
  async page(
    tenantId: string,
    sessionId: string,
    afterSeq: number,
    limit: number,
  ): Promise<SessionEventRecord[]> {
    const pages = await readPagesFrom<SessionEventPage>(
      this.pages,
      tenantId,
      sessionId,
      afterSeq,
      limit + 1,
    );
    return pages
      .flatMap((p) => p.events.filter((e) => e.seq > afterSeq).map((e) => toRecord(p, e)))
      .slice(0, limit + 1);
  }
}

/**
 * Events after `afterSeq` in seq order until `limit` of them, or until the next would take their
 * bodies past `maxBytes` (always at least one event, however large); `hasMore` when more are stored.
 */
export function cutPage(
  pages: SessionEventPage[],
  afterSeq: number,
  limit: number,
  maxBytes: number,
  pagesFollow: boolean,
): { events: SessionEventRecord[]; hasMore: boolean } {
  const events: SessionEventRecord[] = [];
  let bytes = 0;
  for (const p of pages) {
    for (const e of p.events) {
      if (e.seq <= afterSeq) continue;
      // Measured as the ingest measures a page's bytes.
      const size = JSON.stringify(e.body).length;
      if (events.length === limit || (events.length > 0 && bytes + size > maxBytes)) {
        return { events, hasMore: true };
      }
      events.push(toRecord(p, e));
      bytes += size;
    }
  }
  return { events, hasMore: pagesFollow };
}

function sized({ seq, message }: PlannedEvent, storedAt: Date): SizedEvent {
  const body = message.payload.event;
  const event: PageEvent = {
    _id: message.id,
    seq,
    body,
    receivedAt: new Date(message.payload.receivedAt),
    storedAt,
  };
  if (body.occurredAt) event.occurredAt = new Date(body.occurredAt);
  return { event, bytes: JSON.stringify(body).length };
}

function toRecord(page: SessionEventPage, e: PageEvent): SessionEventRecord {
  return {
    ...e,
    tenantId: page.tenantId,
    sessionId: page.sessionId,
    agentId: page.agentId,
    clientEventId: e.body.clientEventId,
    type: e.body.type,
    actor: e.body.actor,
    step: e.body.step,
  };
}
