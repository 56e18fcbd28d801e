export const SESSIONS_HTTP_OPTIONS = Symbol('SESSIONS_HTTP_OPTIONS');

export interface SessionsHttpOptions {
  /** Most events one POST /v1/sessions/:id/events may carry. */
  maxEventsPerRequest: number;
  /** Largest single event, as JSON bytes (Kafka's message size bounds it). */
  maxEventBytes: number;
}
