import { useState, type FormEvent } from 'react';
import type { PlaybookEntry, PlaybookVersion } from '../api/types';
import { useApi } from '../auth';
import { AgentSelect } from '../components/agent-select';
import type { PlaybookTrial } from '@reverie/client';
import {
  ErrorMessage,
  Loading,
  Section,
  Status,
  useAction,
  useLoad,
  usePager,
  When,
  Table,
} from '../components/common';
import { DiffView } from '../components/diff-view';
import { Trials } from '../components/trials';
import { proposalSummary, type VersionDiff } from '../lib/proposal-summary';
import { learnedFromLines } from '../lib/learned-from';
import { trialOf, trialVersionsText } from '../lib/trials';
import { navigate } from '../router';
import { percent } from '../lib/percent';

export const authorText = (a: PlaybookVersion['author']) =>
  a ? `${a.kind}${a.id ? ` ${a.id}` : ''}` : '—';

/** An agent's (or one role's) playbook: active version, entries, proposals, history, diff, rollback. */
export function PlaybooksPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const agentId = query.get('agent') ?? '';
  const agent = useLoad(() => (agentId ? api.agent(agentId) : Promise.resolve(null)), [agentId]);
  const roles = agent.data?.roles.map((r) => r.name) ?? [];
  const role = query.get('role') ?? roles[0] ?? '';
  const [tick, setTick] = useState(0);
  const changed = () => setTick((t) => t + 1);
  return (
    <>
      <h1>Playbooks</h1>
      <form className="filters" aria-label="Choose a playbook" onSubmit={(e) => e.preventDefault()}>
        <AgentSelect
          id="playbook-agent"
          value={agentId}
          allowAll={false}
          onChange={(v) => navigate('playbooks', { agent: v })}
        />
        {agentId && (
          <span className="field">
            <label htmlFor="playbook-role">Role</label>
            <select
              id="playbook-role"
              value={role}
              onChange={(e) => navigate('playbooks', { agent: agentId, role: e.target.value })}
            >
              {roles.map((r) => (
                <option key={r}>{r}</option>
              ))}
              <option value="">the agent’s own playbook</option>
            </select>
          </span>
        )}
      </form>
      <ErrorMessage error={agent.error} />
      {agentId && agent.data && (
        <Playbook
          key={`${agentId}|${role}|${tick}`}
          agentId={agentId}
          role={role || undefined}
          onChange={changed}
        />
      )}
      {!agentId && <p>Choose an agent to see its playbook.</p>}
    </>
  );
}

function Playbook({
  agentId,
  role,
  onChange,
}: {
  agentId: string;
  role?: string;
  onChange: () => void;
}) {
  const api = useApi();
  const active = useLoad(() => api.playbook(agentId, role), [agentId, role]);
  const history = useLoad(() => api.versions(agentId, role), [agentId, role]);
  const proposals = useLoad(() => api.versions(agentId, role, 'proposed'), [agentId, role]);
  const trialPages = usePager();
  const trials = useLoad(
    () => api.trials(agentId, { before: trialPages.cursor }),
    [agentId, trialPages.cursor],
  );
  // Which proposal the running trial serves (an agent runs one trial at a time).
  const running = useLoad(() => api.trials(agentId, { status: 'running' }), [agentId]);
  const v = active.data;
  return (
    <>
      <Section title={`Active version${v ? ` — v${v.version}` : ''}`}>
        {active.loading && <Loading what="the playbook" />}
        <ErrorMessage error={active.error} />
        {v && (
          <>
            <p className="small">
              <Status value={v.status} /> by {authorText(v.author)}{' '}
              {v.createdAt && <When at={v.createdAt as string} />}
              {v.message ? ` — ${v.message}` : ''}
            </p>
            {v.hint && <p className="muted">{v.hint}</p>}
            {learnedFromLines(v.learnedFrom).map((line) => (
              <p key={line} className="small muted learned-from">
                {line}
              </p>
            ))}
            <ol className="entries">
              {(v.entries ?? []).map((e) => (
                <Entry key={e.id} agentId={agentId} role={role} entry={e} onChange={onChange} />
              ))}
            </ol>
            <AddEntry agentId={agentId} role={role} onChange={onChange} />
          </>
        )}
      </Section>
      <Section title="Proposals awaiting a decision">
        <ErrorMessage error={proposals.error} />
        {proposals.data?.data.length === 0 && <p>No proposals.</p>}
        <ul className="proposals">
          {proposals.data?.data.map((p) => (
            <Proposal
              key={p.version}
              agentId={agentId}
              role={role}
              proposal={p}
              trial={trialOf(running.data?.data, role, p.version)}
              onChange={onChange}
            />
          ))}
        </ul>
      </Section>
      <Trials
        trials={trials.data}
        loading={trials.loading}
        error={trials.error}
        page={trialPages.page}
        onPrev={trialPages.prev}
        onNext={() => trialPages.next(trials.data?.last_started_at)}
      />
      <History
        agentId={agentId}
        role={role}
        versions={history.data?.data ?? []}
        activeVersion={v?.version ?? 0}
        error={history.error}
        onChange={onChange}
      />
    </>
  );
}

function Entry({
  agentId,
  role,
  entry,
  onChange,
}: {
  agentId: string;
  role?: string;
  entry: PlaybookEntry;
  onChange: () => void;
}) {
  const api = useApi();
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(entry.title);
  const [guidance, setGuidance] = useState(String(entry.guidance ?? ''));
  const [reason, setReason] = useState('');
  const save = useAction();
  const retire = useAction();
  const retired = entry.status === 'retired';
  async function submit(e: FormEvent) {
    e.preventDefault();
    const patch: Record<string, unknown> = {};
    if (title !== entry.title) patch.title = title;
    if (guidance !== entry.guidance) patch.guidance = guidance;
    if ((await save.run(() => api.editEntry(agentId, role, entry.id, patch))) && true) onChange();
  }
  return (
    <li className={`entry${retired ? ' retired' : ''}`} data-entry={entry.id}>
      <div className="entry-head">
        <strong>{entry.title}</strong> <Status value={String(entry.status ?? 'active')} />{' '}
        <span className="mono small muted">{entry.id}</span>
      </div>
      {!editing && (
        <>
          <p className="guidance">{String(entry.guidance ?? '')}</p>
          {entry.rationale ? <p className="small muted">Why: {String(entry.rationale)}</p> : null}
          {entry.rule ? (
            <pre className="json small" tabIndex={0}>
              {JSON.stringify(entry.rule, null, 2)}
            </pre>
          ) : null}
          {retired && entry.retiredReason ? (
            <p className="small">Retired: {String(entry.retiredReason)}</p>
          ) : null}
          {!retired && (
            <div className="actions">
              <button
                type="button"
                onClick={() => setEditing(true)}
                aria-label={`Edit entry ${entry.title}`}
              >
                Edit
              </button>
              <form
                className="inline-form"
                onSubmit={async (e) => {
                  e.preventDefault();
                  if (
                    await retire.run(() =>
                      api.retireEntry(
                        agentId,
                        role,
                        entry.id,
                        reason.trim() || 'retired from the console',
                      ),
                    )
                  )
                    onChange();
                }}
              >
                <label className="sr-only" htmlFor={`retire-${entry.id}`}>
                  Reason to retire {entry.title}
                </label>
                <input
                  id={`retire-${entry.id}`}
                  placeholder="reason to retire"
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                />
                <button type="submit" disabled={retire.busy}>
                  Retire
                </button>
              </form>
            </div>
          )}
          <ErrorMessage error={retire.error} />
        </>
      )}
      {editing && (
        <form className="edit-entry" onSubmit={submit} aria-label={`Edit ${entry.title}`}>
          <label htmlFor={`title-${entry.id}`}>Title</label>
          <input
            id={`title-${entry.id}`}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
          <label htmlFor={`guidance-${entry.id}`}>Guidance</label>
          <textarea
            id={`guidance-${entry.id}`}
            rows={4}
            value={guidance}
            onChange={(e) => setGuidance(e.target.value)}
          />
          <div className="actions">
            <button type="submit" disabled={save.busy}>
              Save as a new version
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(false);
                save.clear();
              }}
            >
              Cancel
            </button>
          </div>
          <ErrorMessage error={save.error} title="Not saved" />
        </form>
      )}
    </li>
  );
}

function AddEntry({
  agentId,
  role,
  onChange,
}: {
  agentId: string;
  role?: string;
  onChange: () => void;
}) {
  const api = useApi();
  const [title, setTitle] = useState('');
  const [guidance, setGuidance] = useState('');
  const [rationale, setRationale] = useState('');
  const action = useAction();
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (
      await action.run(() => api.addEntry(agentId, role, { title, guidance, rationale } as never))
    )
      onChange();
  }
  return (
    <details className="add-entry">
      <summary>Add an entry</summary>
      <form onSubmit={submit} aria-label="Add an entry">
        <label htmlFor="new-title">Title</label>
        <input id="new-title" value={title} onChange={(e) => setTitle(e.target.value)} required />
        <label htmlFor="new-guidance">Guidance (what to do, when)</label>
        <textarea
          id="new-guidance"
          rows={3}
          value={guidance}
          onChange={(e) => setGuidance(e.target.value)}
          required
        />
        <label htmlFor="new-rationale">Rationale (why, for reviewers)</label>
        <textarea
          id="new-rationale"
          rows={2}
          value={rationale}
          onChange={(e) => setRationale(e.target.value)}
          required
        />
        <button type="submit" disabled={action.busy}>
          Add as a new version
        </button>
        <ErrorMessage error={action.error} title="Not added" />
      </form>
    </details>
  );
}

function Proposal({
  agentId,
  role,
  proposal,
  trial,
  onChange,
}: {
  agentId: string;
  role?: string;
  proposal: PlaybookVersion;
  /** The running canary trial that serves this proposal, if one does. */
  trial?: PlaybookTrial;
  onChange: () => void;
}) {
  const api = useApi();
  const [reason, setReason] = useState('');
  const action = useAction();
  const diff = proposal.diff as VersionDiff | undefined;
  return (
    <li className="card-inner" data-version={proposal.version}>
      <p>
        <strong>v{proposal.version}</strong> proposed by {authorText(proposal.author)}{' '}
        <When at={proposal.createdAt as string} />
        {proposal.parentVersion !== undefined && proposal.parentVersion !== null
          ? ` against v${proposal.parentVersion}`
          : ''}
      </p>
      {proposal.message && <p>{proposal.message}</p>}
      {trial && (
        <p className="small" data-testid="on-trial">
          <Status value="running" /> On canary trial <span className="mono">{trial.id}</span> (
          {trialVersionsText(trial.playbooks)}): {percent(trial.share)} of new sessions get it until
          the graded sessions decide; see Canary trials below.
        </p>
      )}
      {diff && <p className="small">{proposalSummary(diff)}</p>}
      <div className="actions">
        <button
          type="button"
          disabled={action.busy}
          onClick={async () =>
            (await action.run(() => api.approve(agentId, role, proposal.version))) && onChange()
          }
        >
          Approve v{proposal.version}
        </button>
        <form
          className="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (await action.run(() => api.reject(agentId, role, proposal.version, reason)))
              onChange();
          }}
        >
          <label className="sr-only" htmlFor={`reject-${proposal.version}`}>
            Reason to reject v{proposal.version}
          </label>
          <input
            id={`reject-${proposal.version}`}
            placeholder="reason to reject"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
          />
          <button type="submit" disabled={action.busy}>
            Reject
          </button>
        </form>
      </div>
      <ErrorMessage error={action.error} />
    </li>
  );
}

function History({
  agentId,
  role,
  versions,
  activeVersion,
  error,
  onChange,
}: {
  agentId: string;
  role?: string;
  versions: PlaybookVersion[];
  activeVersion: number;
  error: unknown;
  onChange: () => void;
}) {
  const api = useApi();
  const action = useAction();
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const numbers = versions.map((v) => v.version);
  const toV = to ?? activeVersion;
  const fromV = from ?? versions.find((v) => v.version === toV)?.parentVersion ?? 0;
  return (
    <>
      <Section title="History">
        <ErrorMessage error={error ?? action.error} />
        <Table
          label="playbook versions"
          columns={['Version', 'Status', 'Author', 'Message', 'Created', 'Actions']}
        >
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <td>v{v.version}</td>
              <td>
                <Status value={v.version === activeVersion ? 'active' : v.status} />
              </td>
              <td>{authorText(v.author)}</td>
              <td>{v.message ?? ''}</td>
              <td>
                <When at={v.createdAt as string} />
              </td>
              <td>
                <div className="actions">
                  <button
                    type="button"
                    onClick={() => {
                      setTo(v.version);
                      setFrom(v.parentVersion ?? 0);
                    }}
                  >
                    Diff with parent
                  </button>
                  {v.version !== activeVersion &&
                    v.status !== 'proposed' &&
                    v.status !== 'rejected' && (
                      <button
                        type="button"
                        disabled={action.busy}
                        onClick={async () =>
                          (await action.run(() => api.rollback(agentId, role, v.version))) &&
                          onChange()
                        }
                      >
                        Roll back to v{v.version}
                      </button>
                    )}
                </div>
              </td>
            </tr>
          ))}
        </Table>
      </Section>
      <Section title="Compare two versions">
        <form
          className="filters"
          onSubmit={(e) => e.preventDefault()}
          aria-label="Versions to compare"
        >
          <span className="field">
            <label htmlFor="diff-from">From</label>
            <select id="diff-from" value={fromV} onChange={(e) => setFrom(Number(e.target.value))}>
              <option value={0}>v0 (empty)</option>
              {numbers.map((n) => (
                <option key={n} value={n}>
                  v{n}
                </option>
              ))}
            </select>
          </span>
          <span className="field">
            <label htmlFor="diff-to">To</label>
            <select id="diff-to" value={toV} onChange={(e) => setTo(Number(e.target.value))}>
              {numbers.map((n) => (
                <option key={n} value={n}>
                  v{n}
                </option>
              ))}
            </select>
          </span>
        </form>
        {toV > 0 && <DiffView agentId={agentId} role={role} from={fromV} to={toV} />}
      </Section>
    </>
  );
}
