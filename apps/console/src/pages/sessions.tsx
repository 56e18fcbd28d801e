import { useApi } from '../auth';
import { AgentSelect, useAgentNames } from '../components/agent-select';
import { PagedTable, Section, Status, usePager, useLoad, When } from '../components/common';
import { attemptLabel } from '../lib/outcomes';
import { utcInstant } from '../lib/time';
import { href, navigate } from '../router';

export const SESSION_STATUSES = ['running', 'completed', 'failed', 'canceled'];
export const OUTCOME_RESULTS = ['satisfied', 'needs_revision', 'max_iterations_reached', 'failed'];

/**
 * Sessions, newest first, filtered by agent, status and start time (GET /v1/sessions) or, with a result
 * filter, the graded sessions with that result (GET /v1/outcomes).
 */
export function SessionsPage({ query }: { query: URLSearchParams }) {
  const agentId = query.get('agentId') ?? '';
  const status = query.get('status') ?? '';
  const result = query.get('result') ?? '';
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const set = (change: Record<string, string>) =>
    navigate('sessions', { agentId, status, result, from, to, ...change });
  return (
    <>
      <h1>Sessions</h1>
      <form className="filters" aria-label="Filter sessions" onSubmit={(e) => e.preventDefault()}>
        <AgentSelect value={agentId} onChange={(v) => set({ agentId: v })} />
        <span className="field">
          <label htmlFor="status-filter">Status</label>
          <select
            id="status-filter"
            value={status}
            onChange={(e) => set({ status: e.target.value, result: '' })}
          >
            <option value="">Any status</option>
            {SESSION_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </span>
        <span className="field">
          <label htmlFor="result-filter">Result</label>
          <select
            id="result-filter"
            value={result}
            onChange={(e) => set({ result: e.target.value, status: '' })}
          >
            <option value="">Any result</option>
            {OUTCOME_RESULTS.map((s) => (
              <option key={s} value={s}>
                {s.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </span>
        <span className="field">
          <label htmlFor="from-filter">Started from (UTC)</label>
          <input
            id="from-filter"
            type="datetime-local"
            value={from}
            disabled={!!result}
            onChange={(e) => set({ from: e.target.value })}
          />
        </span>
        <span className="field">
          <label htmlFor="to-filter">Started before (UTC)</label>
          <input
            id="to-filter"
            type="datetime-local"
            value={to}
            disabled={!!result}
            onChange={(e) => set({ to: e.target.value })}
          />
        </span>
      </form>
      {result ? (
        <GradedSessions key={`${agentId}|${result}`} agentId={agentId} result={result} />
      ) : (
        <SessionTable
          key={`${agentId}|${status}|${from}|${to}`}
          agentId={agentId}
          status={status}
          from={from}
          to={to}
        />
      )}
    </>
  );
}

function SessionTable({
  agentId,
  status,
  from,
  to,
}: {
  agentId: string;
  status: string;
  from: string;
  to: string;
}) {
  const api = useApi();
  const pager = usePager();
  const names = useAgentNames();
  const page = useLoad(
    () =>
      api.sessions({
        agentId: agentId || undefined,
        status: status || undefined,
        from: utcInstant(from),
        to: utcInstant(to),
        after_id: pager.cursor,
      }),
    [agentId, status, from, to, pager.cursor],
  );
  return (
    <Section title="Sessions, newest first">
      <PagedTable
        what="sessions"
        loaded={page}
        pager={pager}
        columns={['Session', 'Agent', 'Status', 'Events', 'Started', 'Ended']}
        empty="No sessions match."
        rowKey={(s) => s.id}
        row={(s) => (
          <>
            <td>
              <a href={href(`sessions/${s.id}`)}>{s.title ?? s.id}</a>
              <div className="muted small mono">{s.id}</div>
            </td>
            <td>{names.get(s.agentId) ?? <span className="mono small">{s.agentId}</span>}</td>
            <td>
              <Status value={s.status} />
              {s.endReason && <div className="muted small">{s.endReason}</div>}
            </td>
            <td className="num">{s.eventCount}</td>
            <td>
              <When at={s.createdAt} />
            </td>
            <td>
              <When at={s.endedAt} />
            </td>
          </>
        )}
      />
    </Section>
  );
}

function GradedSessions({ agentId, result }: { agentId: string; result: string }) {
  const api = useApi();
  const pager = usePager();
  const names = useAgentNames();
  const page = useLoad(
    () => api.outcomes({ agentId: agentId || undefined, result, after_id: pager.cursor }),
    [agentId, result, pager.cursor],
  );
  return (
    <Section title={`Sessions graded “${result.replace(/_/g, ' ')}”`}>
      <PagedTable
        what="graded sessions"
        loaded={page}
        pager={pager}
        columns={['Session', 'Attempt', 'Agent', 'Score', 'Failed criteria', 'Graded']}
        empty="No graded sessions with this result."
        rowKey={(o) => `${o.sessionId}-${o.iteration}`}
        row={(o) => (
          <>
            <td>
              <a className="mono" href={href(`sessions/${o.sessionId}`)}>
                {o.sessionId}
              </a>
            </td>
            {/* A session graded "needs revision" is flown again: one row per attempt. */}
            <td className="nowrap">{attemptLabel(o)}</td>
            <td>{names.get(o.agentId) ?? o.agentId}</td>
            <td className="num">{o.score.toFixed(2)}</td>
            <td>{((o.failedCriteria as string[] | undefined) ?? []).join(', ') || '—'}</td>
            <td>
              <When at={o.gradedAt} />
            </td>
          </>
        )}
      />
    </Section>
  );
}
