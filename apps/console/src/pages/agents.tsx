import { useState } from 'react';
import { useApi } from '../auth';
import type { Agent } from '../api/types';
import {
  ErrorMessage,
  Json,
  Loading,
  PagedTable,
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
        <PagedTable
          what="agents"
          loaded={agents}
          columns={['Name', 'Roles', 'Model', 'Dreaming', 'Created']}
          empty={
            <p>
              No agents yet. Create one with <code>POST /v1/agents</code> or{' '}
              <code>npx reverie agent create</code>.
            </p>
          }
          rowKey={(a) => a.id}
          row={(a) => (
            <>
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
            </>
          )}
        />
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

/**
 * The kill switch, for the tenant or one agent (PUT /v1/dreaming/pause). `onChanged` runs after
 * the API took a change, for what else on the page shows the pause (the agent's "Now").
 */
function KillSwitch({ agentId, onChanged }: { agentId?: string; onChanged?: () => void }) {
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
              onChanged?.();
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
  // Bumped by the kill switch: "Now" reads the agent's dreaming state again.
  const [pauses, setPauses] = useState(0);
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
              <KillSwitch agentId={a.id} onChanged={() => setPauses((n) => n + 1)} />
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
              <DreamingNow agentId={a.id} refresh={pauses} />
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

/** GET /v1/agents/:id/dreaming: the schedule's slots and the budget spent today, as of now. */
function DreamingNow({ agentId, refresh }: { agentId: string; refresh: number }) {
  const api = useApi();
  const now = useLoad(() => api.agentDreaming(agentId), [agentId, refresh]);
  const d = now.data;
  return (
    <div aria-label="Dreaming now" role="group">
      <h3>Now</h3>
      {now.loading && <Loading what="the schedule" />}
      <ErrorMessage error={now.error} />
      {d && (
        <dl>
          <dt>State</dt>
          <dd data-testid="dreaming-state">
            {d.paused
              ? `paused (${d.paused_by === 'tenant' ? 'whole tenant' : 'this agent'}${d.pause_reason ? `: ${d.pause_reason}` : ''})`
              : d.enabled
                ? 'scheduled'
                : 'not scheduled (dreaming disabled)'}
          </dd>
          <dt>Next slot</dt>
          <dd data-testid="next-slot">
            <When at={d.schedule.next_slot} />
            {d.schedule.next_slot && d.schedule.cron && (
              <span className="muted small">
                {' '}
                cron “{d.schedule.cron}” in {d.schedule.timezone}
              </span>
            )}
          </dd>
          <dt>Last slot</dt>
          <dd>
            <When at={d.schedule.last_slot} />
            {d.schedule.due && (
              <span className="muted small"> (due: its dream has not run yet)</span>
            )}
            {d.schedule.not_due_reason === 'outside_window' && (
              <span className="muted small"> (waiting for the idle window)</span>
            )}
          </dd>
          <dt>Spent today</dt>
          <dd data-testid="spent-today">
            {d.budget.tokens_spent_today.toLocaleString('en')} tokens
            {d.budget.tokens_per_day !== null &&
              ` of ${d.budget.tokens_per_day.toLocaleString('en')} (${(d.budget.tokens_left_today ?? 0).toLocaleString('en')} left)`}
            <span className="muted small">
              {' '}
              since <When at={d.budget.day_started_at} />
            </span>
          </dd>
          {d.schedule.error && (
            <>
              <dt>Schedule error</dt>
              <dd>{d.schedule.error}</dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}
