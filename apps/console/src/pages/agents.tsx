import { useApi } from '../auth';
import type { Agent } from '../api/types';
import {
  ErrorMessage,
  Json,
  Loading,
  Section,
  useAction,
  useLoad,
  When,
} from '../components/common';
import { href } from '../router';
import { ApiError } from '../api/http';

export function AgentsPage({ id }: { id?: string }) {
  return id ? <AgentDetail id={id} /> : <AgentList />;
}

function AgentList() {
  const api = useApi();
  const agents = useLoad(() => api.agents(), []);
  return (
    <>
      <h1>Agents</h1>
      <KillSwitch />
      <Section title="All agents">
        {agents.loading && <Loading what="agents" />}
        <ErrorMessage error={agents.error} />
        {agents.data && agents.data.data.length === 0 && (
          <p>
            No agents yet. Create one with <code>POST /v1/agents</code> or{' '}
            <code>npx reverie agent create</code>.
          </p>
        )}
        {agents.data && agents.data.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Model</th>
                  <th scope="col">Dreaming</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {agents.data.data.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <a href={href(`agents/${a.id}`)}>{a.name}</a>
                      <div className="muted small mono">{a.id}</div>
                    </td>
                    <td>
                      {a.roles.map((r) => r.name).join(', ') || (
                        <span className="muted">single agent</span>
                      )}
                    </td>
                    <td>{a.model.provider}</td>
                    <td>{dreamingSummary(a)}</td>
                    <td>
                      <When at={a.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </>
  );
}

function dreamingSummary(a: Agent): string {
  const d = a.dreaming;
  if (!d?.enabled) return 'off';
  const when = d.frequency === 'cron' ? `cron ${d.cron}` : (d.frequency ?? 'on demand');
  return `${when}, ${d.publish ?? 'propose'}`;
}

/** The kill switch, for the tenant or one agent (PUT /v1/dreaming/pause). */
function KillSwitch({ agentId }: { agentId?: string }) {
  const api = useApi();
  const state = useLoad(() => api.pause(agentId), [agentId]);
  const action = useAction();
  const paused = state.data?.paused ?? false;
  const label = agentId ? 'Dreaming paused for this agent' : 'Dreaming paused for the whole tenant';
  return (
    <div className="switch-row">
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={paused}
          checked={paused}
          disabled={state.loading || action.busy}
          onChange={(e) =>
            action.run(async () => {
              await api.setPause(
                e.target.checked,
                agentId,
                e.target.checked ? 'paused from the console' : undefined,
              );
              state.reload();
            })
          }
        />
        <span>{label}</span>
      </label>
      {state.data?.reason && <span className="muted small"> ({state.data.reason})</span>}
      <ErrorMessage error={state.error ?? action.error} />
    </div>
  );
}

function AgentDetail({ id }: { id: string }) {
  const api = useApi();
  const agent = useLoad(() => api.agent(id), [id]);
  const outcome = useLoad(
    () =>
      api
        .outcomeDefinition(id)
        .catch((err) =>
          err instanceof ApiError && err.status === 404 ? null : Promise.reject(err),
        ),
    [id],
  );
  const a = agent.data;
  return (
    <>
      <p>
        <a href={href('agents')}>← Agents</a>
      </p>
      {agent.loading && <Loading what="the agent" />}
      <ErrorMessage error={agent.error} />
      {a && (
        <>
          <h1>{a.name}</h1>
          {a.description && <p>{a.description}</p>}
          <p className="links">
            <a href={href('sessions', { agentId: a.id })}>Sessions</a>
            <a href={href('dreams', { agent_id: a.id })}>Dreams</a>
            <a href={href('playbooks', { agent: a.id })}>Playbook</a>
            <a href={href('learning', { agent: a.id })}>Learning</a>
          </p>
          <div className="grid-2">
            <Section title="Roles and model">
              <dl>
                <dt>Id</dt>
                <dd className="mono">{a.id}</dd>
                <dt>Roles</dt>
                <dd>{a.roles.map((r) => r.name).join(', ') || 'single agent'}</dd>
                <dt>Model</dt>
                <dd>
                  <Json value={a.model} />
                </dd>
              </dl>
            </Section>
            <Section title="Dreaming">
              <KillSwitch agentId={a.id} />
              <dl>
                <dt>Enabled</dt>
                <dd>{a.dreaming?.enabled ? 'yes' : 'no'}</dd>
                <dt>Schedule</dt>
                <dd>
                  {a.dreaming?.frequency === 'cron'
                    ? `cron “${a.dreaming.cron}” (${a.dreaming.timezone ?? 'UTC'})`
                    : (a.dreaming?.frequency ?? '—')}
                </dd>
                <dt>Idle window</dt>
                <dd>
                  {a.dreaming?.window
                    ? `${a.dreaming.window.start}–${a.dreaming.window.end}`
                    : 'any time'}
                </dd>
                <dt>Budget</dt>
                <dd>
                  {a.dreaming?.budget
                    ? Object.entries(a.dreaming.budget)
                        .map(([k, v]) => `${k}: ${v}`)
                        .join(', ')
                    : '—'}
                </dd>
                <dt>Publish</dt>
                <dd>{a.dreaming?.publish ?? '—'}</dd>
                {a.dreaming?.lastScheduleError && (
                  <>
                    <dt>Last skipped</dt>
                    <dd>
                      {a.dreaming.lastScheduleError.message} (
                      <When at={a.dreaming.lastScheduleError.at} />)
                    </dd>
                  </>
                )}
              </dl>
              <p className="muted small">
                The API does not report the next dream slot or the budget spent today; see the
                Dreams page for what ran.
              </p>
            </Section>
          </div>
          <Section title="Outcome definition">
            {outcome.loading && <Loading what="the outcome definition" />}
            <ErrorMessage error={outcome.error} />
            {outcome.data === null && (
              <p>
                No outcome definition: sessions are not graded. Define one with{' '}
                <code>PUT /v1/agents/{a.id}/outcome</code>.
              </p>
            )}
            {outcome.data && <Json value={outcome.data.definition ?? outcome.data} />}
          </Section>
        </>
      )}
    </>
  );
}
