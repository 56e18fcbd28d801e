import { useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SessionEvent } from '../api/types';
import { eventSummary, laneOf, lanesOf } from '../lib/lanes';
import { scrollToRow, virtualWindow } from '../lib/virtual-window';
import type { EventStream } from './use-events';

const ROW = 36;
const VIEWPORT = 420;
/** The seq and step columns, a lane's narrowest, the grid's gaps and the row's padding, in px. */
const FIXED_COLUMNS = 56 + 44;
const MIN_LANE = 120;
const GAP = 4;
const ROW_PADDING = 12;
/** How far ← and → scroll the lanes sideways on a narrow screen. */
const LANE_STEP = MIN_LANE;

/** A request to bring a row into view; a new `request` number scrolls again to the same row. */
export interface ScrollRequest {
  index: number;
  request: number;
}

/** The lanes' narrowest width: below it, the lanes scroll sideways inside the timeline's card. */
export function lanesMinWidth(lanes: number): number {
  const n = Math.max(1, lanes);
  return FIXED_COLUMNS + n * MIN_LANE + (n + 1) * GAP + ROW_PADDING;
}

/**
 * A session's events, one row each in seq order, placed in the lane of their actor. Virtualised:
 * only the rows in view are in the DOM; the next page is read from the API when the reader
 * scrolls near the end of what is loaded. Arrow keys, Home and End move the selection.
 */
export function Timeline({
  stream,
  total,
  selected,
  onSelect,
  scrollTo,
}: {
  stream: EventStream;
  total: number;
  selected: number | null;
  onSelect: (index: number) => void;
  /**
   * A row to bring into view (a step link or a step button): the page scrolls to the timeline and
   * the list to the row. Each new request scrolls, once; other renders leave the page alone.
   */
  scrollTo: ScrollRequest | null;
}) {
  const { events, hasMore, loadMore } = stream;
  const box = useRef<HTMLDivElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const head = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const lanes = useMemo(() => lanesOf(events), [events]);
  const w = virtualWindow(events.length, ROW, scrollTop, VIEWPORT);

  useEffect(() => {
    if (hasMore && w.end >= events.length - 20) void loadMore();
  }, [w.end, events.length, hasMore, loadMore]);

  useLayoutEffect(() => {
    if (scrollTo === null || !box.current) return;
    // The page first (the timeline is far below the outcome and the flight), then the list.
    root.current?.scrollIntoView({ block: 'start' });
    box.current.scrollTop = Math.max(0, scrollTo.index * ROW - VIEWPORT / 3);
  }, [scrollTo]);

  function move(e: KeyboardEvent) {
    // ← → scroll the lanes sideways where the screen is narrower than they are.
    if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && box.current) {
      e.preventDefault();
      box.current.scrollLeft += e.key === 'ArrowLeft' ? -LANE_STEP : LANE_STEP;
      return;
    }
    const last = events.length - 1;
    const keys: Record<string, number> = {
      ArrowDown: Math.min(last, (selected ?? -1) + 1),
      ArrowUp: Math.max(0, (selected ?? 1) - 1),
      PageDown: Math.min(last, (selected ?? 0) + 10),
      PageUp: Math.max(0, (selected ?? 0) - 10),
      Home: 0,
      End: last,
    };
    if (!(e.key in keys) || last < 0) return;
    e.preventDefault();
    const next = keys[e.key];
    onSelect(next);
    if (box.current)
      box.current.scrollTop = scrollToRow(next, ROW, box.current.scrollTop, VIEWPORT);
    // Reaching the end of what is loaded reads the next page (scrolling there does too).
    if (hasMore && next >= events.length - 20) void loadMore();
  }

  const minWidth = lanesMinWidth(lanes.length);
  const columns = `56px 44px repeat(${Math.max(1, lanes.length)}, minmax(${MIN_LANE}px, 1fr))`;
  return (
    <div className="timeline" ref={root}>
      <p className="muted small" aria-live="polite">
        {events.length.toLocaleString()} of {total.toLocaleString()} events loaded
        {stream.loading ? ' — loading more…' : ''}. Use ↑ ↓, Page Up/Down, Home and End to move (← →
        scroll the lanes on a narrow screen); the selected event shows below.
      </p>
      {/* Where the lanes are wider than the card (a narrow screen) the rows scroll sideways in
          the list, and the lane header follows them; the seq and step columns stay in view. */}
      <div className="timeline-head-box" ref={head} aria-hidden="true">
        <div className="timeline-head" style={{ gridTemplateColumns: columns, minWidth: minWidth }}>
          <span className="timeline-fixed">seq</span>
          <span className="timeline-fixed timeline-step">step</span>
          {lanes.map((l) => (
            <span key={l} className={`lane-name lane-${l}`}>
              {l}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={box}
        className="timeline-body"
        style={{ height: VIEWPORT }}
        tabIndex={0}
        role="listbox"
        aria-label="Session events"
        aria-activedescendant={selected !== null ? `ev-${selected}` : undefined}
        onScroll={(e) => {
          setScrollTop(e.currentTarget.scrollTop);
          if (head.current) head.current.scrollLeft = e.currentTarget.scrollLeft;
        }}
        onKeyDown={move}
      >
        <div style={{ height: w.total, position: 'relative', minWidth: minWidth }}>
          <div style={{ transform: `translateY(${w.offset}px)` }}>
            {events.slice(w.start, w.end).map((e, i) => (
              <Row
                key={e.seq}
                index={w.start + i}
                event={e}
                lanes={lanes}
                columns={columns}
                selected={selected === w.start + i}
                onSelect={onSelect}
              />
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}

function Row({
  index,
  event,
  lanes,
  columns,
  selected,
  onSelect,
}: {
  index: number;
  event: SessionEvent;
  lanes: string[];
  columns: string;
  selected: boolean;
  onSelect: (index: number) => void;
}) {
  const lane = lanes.indexOf(laneOf(event));
  const summary = eventSummary(event);
  return (
    <div
      id={`ev-${index}`}
      role="option"
      aria-selected={selected}
      className={`timeline-row${selected ? ' selected' : ''}`}
      style={{ gridTemplateColumns: columns, height: ROW }}
      onClick={() => onSelect(index)}
      data-seq={event.seq}
    >
      <span className="mono small timeline-fixed">{event.seq}</span>
      <span className="mono small timeline-fixed timeline-step">{event.step ?? ''}</span>
      <span
        className={`event-card type-${event.type} lane-${laneOf(event)}`}
        style={{ gridColumn: `${lane + 3} / span 1` }}
        title={summary}
      >
        <strong>{event.type.replace('_', ' ')}</strong>{' '}
        <span className="sr-only">by {laneOf(event)}: </span>
        {summary}
      </span>
    </div>
  );
}
