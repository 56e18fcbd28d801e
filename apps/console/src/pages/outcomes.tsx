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
import { OUTCOME_RESULTS } from './sessions';

/** Verdicts by agent and result (GET /v1/outcomes), each with criteria, explanations and attempts. */
export function OutcomesPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const agentId = query.get('agentId') ?? '';
  const result = query.get('result') ?? '';
  const pager = usePager();
  const names = useAgentNames();
  const page = useLoad(
    () =>
      api.outcomes({
        agentId: agentId || undefined,
        result: result || undefined,
        after_id: pager.cursor,
      }),
    [agentId, result, pager.cursor],
  );
  const set = (change: Record<string, string>) => {
    pager.reset();
    navigate('outcomes', { agentId, result, ...change });
  };
  return (
    <>
      <h1>Outcomes</h1>
      <form className="filters" aria-label="Filter outcomes" onSubmit={(e) => e.preventDefault()}>
        <AgentSelect value={agentId} onChange={(v) => set({ agentId: v })} />
        <span className="field">
          <label htmlFor="outcome-result">Result</label>
          <select
            id="outcome-result"
            value={result}
            onChange={(e) => set({ result: e.target.value })}
          >
            <option value="">Any result</option>
            {OUTCOME_RESULTS.map((r) => (
              <option key={r} value={r}>
                {r.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </span>
      </form>
      <Section title="Verdicts, newest first">
        {page.loading && <Loading what="outcomes" />}
        <ErrorMessage error={page.error} />
        {page.data?.data.length === 0 && (
          <p>No verdicts match. Sessions are graded once their agent has an outcome definition.</p>
        )}
        <ul className="outcomes">
          {page.data?.data.map((o) => (
            <li key={String(o.outcomeId ?? `${o.sessionId}-${o.iteration}`)} className="card-inner">
              <details>
                <summary>
                  <Status value={o.result} /> <strong>{o.score.toFixed(2)}</strong>{' '}
                  <span>{names.get(o.agentId) ?? o.agentId}</span> ·{' '}
                  <span className="mono small">{o.sessionId}</span> · <When at={o.gradedAt} />
                </summary>
                <p>
                  {o.summary} <a href={href(`sessions/${o.sessionId}`)}>Open the session</a>
                </p>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Criterion</th>
                      <th scope="col">Passed</th>
                      <th scope="col">Explanation</th>
                      <th scope="col">Steps</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.criteria.map((c, i) => (
                      <tr
                        key={String(c.id ?? i)}
                        className={c.passed === false ? 'row-failed' : undefined}
                      >
                        <td>{String(c.id ?? i)}</td>
                        <td>{c.gradable === false ? 'n/a' : c.passed ? 'yes' : 'no'}</td>
                        <td>{c.explanation}</td>
                        <td>
                          {(c.steps ?? []).map((n) => (
                            <a key={n} href={href(`sessions/${o.sessionId}`, { step: n })}>
                              step {n}{' '}
                            </a>
                          ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <p className="small">
                  Attempt {String(o.iteration ?? 1)} of at most {String(o.maxIterations ?? '—')}.
                </p>
              </details>
            </li>
          ))}
        </ul>
        <Pager
          label="Outcomes"
          page={pager.page}
          hasMore={page.data?.has_more ?? false}
          onPrev={pager.prev}
          onNext={() => pager.next(page.data?.last_id)}
        />
      </Section>
    </>
  );
}
