import type { EventMessages } from '@reverie/kafka';

export const SESSIONS_HTTP_OPTIONS = Symbol('SESSIONS_HTTP_OPTIONS');

export interface SessionsHttpOptions {
  /** Most events one POST /v1/sessions/:id/events may carry. */
  maxEventsPerRequest: number;
  /** Largest single event, as JSON bytes (Kafka's message size bounds it). */
  maxEventBytes: number;
  /**
   * `batch`: a request's events go to Kafka as one `session.events_appended` (one per part of at
   * most MAX_PRODUCE_BYTES / MAX_EVENTS_PER_MESSAGE); `single`: one `session.event_appended` each.
   */
  eventMessages: EventMessages;
}
