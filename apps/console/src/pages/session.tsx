import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/http';
import type { Outcome, SessionEvent } from '../api/types';
import { useApi } from '../auth';
import {
  ConfirmAction,
  ErrorMessage,
  Json,
  Loading,
  Section,
  Status,
  useAction,
  useLoad,
  When,
  Table,
} from '../components/common';
import { FlightAttempts } from '../components/flight-plot';
import { Timeline, type ScrollRequest } from '../components/timeline';
import { useEventStream } from '../components/use-events';
import { criterionPassed, criterionRowClass, criterionScore } from '../lib/outcomes';
import { carriesFlight, extractFlights, isAt, type StepTarget } from '../lib/flight';
import { href } from '../router';

const orNull = <T,>(p: Promise<T>) =>
  p.catch((err) => (err instanceof ApiError && err.status === 404 ? null : Promise.reject(err)));

export function SessionPage({ id, step }: { id: string; step: string | null }) {
  const api = useApi();
  const session = useLoad(() => api.session(id), [id]);
  const outcome = useLoad(() => orNull(api.sessionOutcome(id)), [id]);
  const stream = useEventStream(api, id);
  const [selected, setSelected] = useState<number | null>(null);
  const [scrollTo, setScrollTo] = useState<ScrollRequest | null>(null);
  const s = session.data;
  // The first page shows whether the session is a flight (its first event holds the scenario).
  const lunar = carriesFlight(stream.events.slice(0, 50));

  // A lunar flight needs every event (a landing is a few hundred); others page on demand.
  useEffect(() => {
    if (lunar) void stream.loadUntil(() => false);
  }, [lunar, stream.loadUntil]);

  /**
   * Selects the first event of a decision step (of one attempt when it is known: steps start at
   * 0 again in each attempt of a revised session), reading pages until it is loaded.
   */
  const goToStep = async (target: StepTarget) => {
    await stream.loadUntil((events) => events.some((e) => isAt(e, target)));
  };
  const fromUrl = (): StepTarget | null => (step !== null ? { step: Number(step) } : null);
  const [pendingStep, setPendingStep] = useState<StepTarget | null>(fromUrl);
  useEffect(() => setPendingStep(fromUrl()), [step]);
  useEffect(() => {
    if (pendingStep === null || !Number.isFinite(pendingStep.step)) return;
    const index = stream.events.findIndex((e) => isAt(e, pendingStep));
    if (index >= 0) {
      setSelected(index);
      // A step link or a step button: bring the timeline and the row into view (each time).
      setScrollTo((last) => ({ index, request: (last?.request ?? 0) + 1 }));
      setPendingStep(null);
    } else if (stream.hasMore) void goToStep(pendingStep);
  }, [pendingStep, stream.events, stream.hasMore]);

  // One flight per attempt: a session the grader sent back flies again from the start.
  const flights = useMemo(
    () => (lunar ? extractFlights(stream.events) : null),
    [lunar, stream.events],
  );
  const event = selected !== null ? stream.events[selected] : undefined;

  return (
    <>
      <p>
        <a href={href('sessions')}>← Sessions</a>
      </p>
      {session.loading && <Loading what="the session" />}
      <ErrorMessage error={session.error} />
      {s && (
        <>
          <h1>{s.title ?? s.id}</h1>
          <div className="summary-row">
            <Status value={s.status} />
            <span>
              agent{' '}
              <a href={href(`agents/${s.agentId}`)} className="mono">
                {s.agentId}
              </a>
            </span>
            <span>
              {s.source}
              {s.run ? ` · ${s.run.environment}` : ''}
            </span>
            <span>
              started <When at={s.createdAt} />
            </span>
            {s.endedAt && (
              <span>
                ended <When at={s.endedAt} />
              </span>
            )}
            {s.iteration > 1 && <span>attempt {s.iteration}</span>}
            {s.batchId && (
              <span>
                batch{' '}
                <a href={href(`batches/${s.batchId}`)} className="mono">
                  {s.batchId}
                </a>
              </span>
            )}
          </div>
          {s.endReason && <p>End reason: {s.endReason}</p>}
          {s.status === 'running' && (
            <CancelSession id={s.id} managed={s.source === 'managed'} onEnded={session.reload} />
          )}
          <SessionFeedback sessionId={s.id} />
          <OutcomePanel
            outcome={outcome.data}
            error={outcome.error}
            loading={outcome.loading}
            onStep={(n) => setPendingStep({ step: n, attempt: outcome.data?.iteration })}
          />
          {lunar && flights && (
            <Section title="Flight">
              {stream.hasMore && stream.events.length === 0 ? (
                <Loading what="the flight" />
              ) : (
                <FlightAttempts key={s.id} flights={flights} />
              )}
            </Section>
          )}
          <Section title="Timeline">
            <ErrorMessage error={stream.error} />
            <Timeline
              stream={stream}
              total={s.eventCount}
              selected={selected}
              onSelect={setSelected}
              scrollTo={scrollTo}
            />
            {event && <EventDetail sessionId={s.id} event={event} />}
          </Section>
        </>
      )}
    </>
  );
}

/**
 * Ends a running session `canceled` (`POST /v1/sessions/:id/end`), after a second click; an
 * orchestrator running a managed one stops its run (its model call aborted) within
 * `SESSION_WATCH_MS`.
 */
function CancelSession({
  id,
  managed,
  onEnded,
}: {
  id: string;
  managed: boolean;
  onEnded: () => void;
}) {
  const api = useApi();
  return (
    <ConfirmAction
      label="Cancel session"
      confirm="Cancel it now"
      keep="Keep it running"
      hint={
        managed
          ? 'Its run stops within a few seconds; what it recorded stays.'
          : 'It ends as canceled; your agent can no longer add events to it.'
      }
      run={async () => {
        await api.endSession(id, { status: 'canceled', reason: 'canceled in the console' });
        onEnded();
      }}
    />
  );
}

function Thumbs({
  sessionId,
  eventId,
  label,
}: {
  sessionId: string;
  eventId?: string;
  label: string;
}) {
  const api = useApi();
  const action = useAction();
  const [sent, setSent] = useState<string | null>(null);
  const give = (rating: 'positive' | 'negative') =>
    action.run(async () => {
      await api.giveFeedback(sessionId, rating, eventId);
      setSent(rating);
    });
  return (
    <span className="thumbs">
      <button
        type="button"
        onClick={() => give('positive')}
        disabled={action.busy}
        aria-label={`Thumbs up on ${label}`}
      >
        Good
      </button>
      <button
        type="button"
        onClick={() => give('negative')}
        disabled={action.busy}
        aria-label={`Thumbs down on ${label}`}
      >
        Bad
      </button>
      {sent && (
        <span role="status" className="muted small">
          {' '}
          {sent} feedback sent
        </span>
      )}
      <ErrorMessage error={action.error} />
    </span>
  );
}

function SessionFeedback({ sessionId }: { sessionId: string }) {
  const api = useApi();
  const feedback = useLoad(() => api.feedback(sessionId), [sessionId]);
  const items = feedback.data?.data ?? [];
  return (
    <div className="feedback">
      <span>Feedback on this session:</span> <Thumbs sessionId={sessionId} label="this session" />
      {items.length > 0 && (
        <ul className="small">
          {items.map((f) => (
            <li key={f.id}>
              {f.rating === 'positive' ? 'Good' : 'Bad'}{' '}
              {f.eventId ? (
                <span className="mono">on event {f.eventId.slice(0, 8)}…</span>
              ) : (
                'on the session'
              )}
              {f.comment ? ` — ${f.comment}` : ''} <When at={f.createdAt} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function OutcomePanel({
  outcome,
  error,
  loading,
  onStep,
}: {
  outcome: Outcome | null | undefined;
  error: unknown;
  loading: boolean;
  onStep: (step: number) => void;
}) {
  return (
    <Section title="Outcome">
      {loading && <Loading what="the outcome" />}
      <ErrorMessage error={error} />
      {outcome === null && (
        <p className="muted">
          Not graded (the agent has no outcome definition, or the session is still running).
        </p>
      )}
      {outcome && (
        <>
          <p>
            <Status value={outcome.result} /> score <strong>{outcome.score.toFixed(2)}</strong>
            {outcome.iteration ? ` · attempt ${outcome.iteration}` : ''}
            {outcome.summary ? ` — ${outcome.summary}` : ''}
          </p>
          <Table
            label="outcome criteria"
            columns={['Criterion', 'Passed', 'Score', 'Explanation', 'Steps']}
          >
            {outcome.criteria.map((c, i) => (
              <tr key={String(c.id ?? i)} className={criterionRowClass(c)}>
                <td>{String(c.id ?? c.name ?? i)}</td>
                <td>{criterionPassed(c)}</td>
                <td className="num">{criterionScore(c)}</td>
                <td>{c.explanation}</td>
                <td>
                  {(c.steps ?? []).map((n) => (
                    <button key={n} type="button" className="link" onClick={() => onStep(n)}>
                      step {n}
                    </button>
                  ))}
                </td>
              </tr>
            ))}
          </Table>
          {outcome.history && outcome.history.length > 1 && (
            <p className="small">
              Attempts:{' '}
              {outcome.history
                .map((h) => `#${h.iteration} ${h.result} (${h.score.toFixed(2)})`)
                .join(' → ')}
            </p>
          )}
        </>
      )}
    </Section>
  );
}

function EventDetail({ sessionId, event }: { sessionId: string; event: SessionEvent }) {
  return (
    <div className="event-detail" aria-label="Selected event">
      <h3>
        Event {event.seq}: {event.type}
        {event.actor ? ` by ${event.actor}` : ''}
        {event.step !== undefined ? ` at step ${event.step}` : ''}
      </h3>
      <Thumbs sessionId={sessionId} eventId={event.id} label={`event ${event.seq}`} />
      <Json value={event} />
    </div>
  );
}
