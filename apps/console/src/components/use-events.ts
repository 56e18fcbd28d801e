import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleApi } from '../api/endpoints';
import type { SessionEvent } from '../api/types';

/** Events read from the API a page (1,000) at a time, on demand; never more than one request at once. */
export const EVENTS_PAGE = 1000;

export interface EventStream {
  events: SessionEvent[];
  hasMore: boolean;
  loading: boolean;
  error: unknown;
  /** Reads the next page (no-op while one is in flight or none is left). */
  loadMore: () => Promise<void>;
  /** Reads pages until `done(events)` or the end. */
  loadUntil: (done: (events: SessionEvent[]) => boolean) => Promise<void>;
}

export function useEventStream(api: ConsoleApi, sessionId: string): EventStream {
  const [events, setEvents] = useState<SessionEvent[]>([]);
  const [hasMore, setHasMore] = useState(true);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const state = useRef({
    events: [] as SessionEvent[],
    afterSeq: 0,
    hasMore: true,
    inFlight: null as Promise<void> | null,
  });

  useEffect(() => {
    state.current = { events: [], afterSeq: 0, hasMore: true, inFlight: null };
    setEvents([]);
    setHasMore(true);
    setError(null);
  }, [sessionId]);

  const loadMore = useCallback(() => {
    const s = state.current;
    if (s.inFlight) return s.inFlight;
    if (!s.hasMore) return Promise.resolve();
    setLoading(true);
    const run = api
      .events(sessionId, s.afterSeq, EVENTS_PAGE)
      .then((page) => {
        if (state.current !== s) return;
        s.events = s.events.concat(page.data);
        s.afterSeq = page.last_seq ?? s.afterSeq;
        s.hasMore = page.has_more;
        setEvents(s.events);
        setHasMore(s.hasMore);
      })
      .catch((err) => {
        s.hasMore = false;
        setError(err);
        setHasMore(false);
      })
      .finally(() => {
        s.inFlight = null;
        setLoading(false);
      });
    s.inFlight = run;
    return run;
  }, [api, sessionId]);

  const loadUntil = useCallback(
    async (done: (events: SessionEvent[]) => boolean) => {
      // Stops when the page moves to another session (its state is replaced).
      const s = state.current;
      while (state.current === s && s.hasMore && !done(s.events)) await loadMore();
    },
    [loadMore],
  );

  return { events, hasMore, loading, error, loadMore, loadUntil };
}
