import { useApi } from '../auth';
import { AgentSelect, useAgentNames } from '../components/agent-select';
import {
  ErrorMessage,
  Loading,
  Pager,
  Section,
  Status,
  usePager,
  useLoad,
  When,
} from '../components/common';
import { href, navigate } from '../router';

export const SESSION_STATUSES = ['running', 'completed', 'failed', 'canceled'];
export const OUTCOME_RESULTS = ['satisfied', 'needs_revision', 'max_iterations_reached', 'failed'];

/**
 * Sessions, newest first, filtered by agent and status (GET /v1/sessions) or, with a result
 * filter, the graded sessions with that result (GET /v1/outcomes).
 */
export function SessionsPage({ query }: { query: URLSearchParams }) {
  const agentId = query.get('agentId') ?? '';
  const status = query.get('status') ?? '';
  const result = query.get('result') ?? '';
  const set = (change: Record<string, string>) =>
    navigate('sessions', { agentId, status, result, ...change });
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
      </form>
      {result ? (
        <GradedSessions key={`${agentId}|${result}`} agentId={agentId} result={result} />
      ) : (
        <SessionTable key={`${agentId}|${status}`} agentId={agentId} status={status} />
      )}
    </>
  );
}

function SessionTable({ agentId, status }: { agentId: string; status: string }) {
  const api = useApi();
  const pager = usePager();
  const names = useAgentNames();
  const page = useLoad(
    () =>
      api.sessions({
        agentId: agentId || undefined,
        status: status || undefined,
        after_id: pager.cursor,
      }),
    [agentId, status, pager.cursor],
  );
  return (
    <Section title="Sessions, newest first">
      {page.loading && <Loading what="sessions" />}
      <ErrorMessage error={page.error} />
      {page.data && page.data.data.length === 0 && <p>No sessions match.</p>}
      {page.data && page.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Events</th>
                <th scope="col">Started</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((s) => (
                <tr key={s.id}>
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
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Sessions"
        page={pager.page}
        hasMore={page.data?.has_more ?? false}
        onPrev={pager.prev}
        onNext={() => pager.next(page.data?.last_id)}
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
      {page.loading && <Loading what="graded sessions" />}
      <ErrorMessage error={page.error} />
      {page.data && page.data.data.length === 0 && <p>No graded sessions with this result.</p>}
      {page.data && page.data.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Agent</th>
                <th scope="col">Score</th>
                <th scope="col">Failed criteria</th>
                <th scope="col">Graded</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((o) => (
                <tr key={`${o.sessionId}-${o.iteration}`}>
                  <td>
                    <a className="mono" href={href(`sessions/${o.sessionId}`)}>
                      {o.sessionId}
                    </a>
                  </td>
                  <td>{names.get(o.agentId) ?? o.agentId}</td>
                  <td className="num">{o.score.toFixed(2)}</td>
                  <td>{((o.failedCriteria as string[] | undefined) ?? []).join(', ') || '—'}</td>
                  <td>
                    <When at={o.gradedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Graded sessions"
        page={pager.page}
        hasMore={page.data?.has_more ?? false}
        onPrev={pager.prev}
        onNext={() => pager.next(page.data?.last_id)}
      />
    </Section>
  );
}
