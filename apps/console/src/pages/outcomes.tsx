import { useApi } from '../auth';
import { AgentSelect, useAgentNames } from '../components/agent-select';
import type { Outcome } from '../api/types';
import { PagedTable, Section, Status, usePager, useLoad, When } from '../components/common';
import { attemptLabel, criteriaSummary, criterionPassed, criterionRowClass } from '../lib/outcomes';
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
        <PagedTable
          what="outcomes"
          loaded={page}
          pager={pager}
          columns={['Result', 'Score', 'Agent', 'Session', 'Attempt', 'Graded', 'Criteria']}
          empty="No verdicts match. Sessions are graded once their agent has an outcome definition."
          rowKey={(o) => String(o.outcomeId ?? `${o.sessionId}-${o.iteration}`)}
          row={(o) => (
            <>
              <td>
                <Status value={o.result} />
              </td>
              <td className="num">{o.score.toFixed(2)}</td>
              <td>{names.get(o.agentId) ?? o.agentId}</td>
              <td>
                <a className="mono small" href={href(`sessions/${o.sessionId}`)}>
                  {o.sessionId}
                </a>
              </td>
              <td className="nowrap">{attemptLabel(o)}</td>
              <td>
                <When at={o.gradedAt} />
              </td>
              <td>
                <Verdict outcome={o} />
              </td>
            </>
          )}
        />
      </Section>
    </>
  );
}

/** A verdict's criteria, explanations and attempts, folded. */
function Verdict({ outcome: o }: { outcome: Outcome }) {
  return (
    <details>
      <summary>{criteriaSummary(o.criteria)}</summary>
      {o.summary && <p>{o.summary}</p>}
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
            <tr key={String(c.id ?? i)} className={criterionRowClass(c)}>
              <td>{String(c.id ?? i)}</td>
              <td>{criterionPassed(c)}</td>
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
  );
}
