import { useState, type FormEvent } from 'react';
import { useApi } from '../auth';
import { AgentSelect, useAgentNames } from '../components/agent-select';
import {
  ErrorMessage,
  PagedTable,
  Section,
  Status,
  useAction,
  usePager,
  useLoad,
  When,
} from '../components/common';
import { href, navigate } from '../router';

const DREAM_STATUSES = ['pending', 'running', 'completed', 'failed', 'canceled'];

export function DreamsPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const agentId = query.get('agent_id') ?? '';
  const status = query.get('status') ?? '';
  const archived = query.get('archived') === 'true';
  const pager = usePager();
  const names = useAgentNames();
  const page = useLoad(
    () =>
      api.dreams({
        agent_id: agentId || undefined,
        status: status || undefined,
        include_archived: archived || undefined,
        after_id: pager.cursor,
      }),
    [agentId, status, archived, pager.cursor],
  );
  const set = (change: Record<string, string>) => {
    pager.reset();
    navigate('dreams', { agent_id: agentId, status, archived: archived ? 'true' : '', ...change });
  };
  return (
    <>
      <h1>Dreams</h1>
      <StartDream defaultAgent={agentId} />
      <form className="filters" aria-label="Filter dreams" onSubmit={(e) => e.preventDefault()}>
        <AgentSelect value={agentId} onChange={(v) => set({ agent_id: v })} />
        <span className="field">
          <label htmlFor="dream-status">Status</label>
          <select
            id="dream-status"
            value={status}
            onChange={(e) => set({ status: e.target.value })}
          >
            <option value="">Any status</option>
            {DREAM_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </span>
        <label className="check">
          <input
            type="checkbox"
            checked={archived}
            onChange={(e) => set({ archived: e.target.checked ? 'true' : '' })}
          />{' '}
          Show archived
        </label>
      </form>
      <Section title="Dreams, newest first">
        <PagedTable
          what="dreams"
          loaded={page}
          pager={pager}
          columns={[
            'Dream',
            'Agent',
            'Status',
            'Stage',
            'Sessions',
            'Versions (status when written)',
            'Created',
          ]}
          empty="No dreams match."
          rowKey={(d) => d.id}
          row={(d) => (
            <>
              <td>
                <a className="mono" href={href(`dreams/${d.id}`)}>
                  {d.id}
                </a>
                {d.archived_at && <div className="muted small">archived</div>}
              </td>
              <td>{names.get(d.agent_id) ?? d.agent_id}</td>
              <td>
                <Status value={d.status} />
              </td>
              <td>{d.stage ?? '—'}</td>
              <td className="num">{d.sessions_reviewed}</td>
              <td>
                {d.outputs
                  .map((o) => `${o.role ?? 'agent'} v${o.version} (${o.status})`)
                  .join(', ') || '—'}
              </td>
              <td>
                <When at={d.created_at} />
              </td>
            </>
          )}
        />
      </Section>
    </>
  );
}

function StartDream({ defaultAgent }: { defaultAgent: string }) {
  const api = useApi();
  const [agentId, setAgentId] = useState(defaultAgent);
  const [maxSessions, setMaxSessions] = useState('');
  const [instructions, setInstructions] = useState('');
  const action = useAction();
  async function submit(e: FormEvent) {
    e.preventDefault();
    await action.run(async () => {
      const dream = await api.startDream({
        agent_id: agentId,
        max_sessions: maxSessions ? Number(maxSessions) : undefined,
        instructions: instructions.trim() || undefined,
      });
      navigate(`dreams/${dream.id}`);
    });
  }
  return (
    <Section title="Start a dream">
      <form className="form-row" onSubmit={submit} aria-label="Start a dream">
        <AgentSelect
          id="dream-agent"
          label="Agent to dream"
          value={agentId}
          onChange={setAgentId}
          allowAll={false}
        />
        <span className="field">
          <label htmlFor="dream-max">Sessions to review (max)</label>
          <input
            id="dream-max"
            type="number"
            min={1}
            max={1000}
            value={maxSessions}
            placeholder="200"
            onChange={(e) => setMaxSessions(e.target.value)}
          />
        </span>
        <span className="field grow">
          <label htmlFor="dream-instructions">Instructions (optional)</label>
          <input
            id="dream-instructions"
            value={instructions}
            maxLength={4096}
            onChange={(e) => setInstructions(e.target.value)}
          />
        </span>
        <button type="submit" disabled={!agentId || action.busy}>
          {action.busy ? 'Starting…' : 'Start dream'}
        </button>
      </form>
      <ErrorMessage error={action.error} />
    </Section>
  );
}
