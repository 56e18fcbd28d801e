import { Fragment } from 'react';
import type { Dream, DreamReport, GroupScore } from '../api/types';
import { useApi } from '../auth';
import {
  ErrorMessage,
  Loading,
  Section,
  Status,
  useAction,
  useLoad,
  usePolled,
  When,
  Table,
} from '../components/common';
import { href } from '../router';
import { percent } from '../lib/percent';

const ENDED = ['completed', 'failed', 'canceled'];
const POLL_MS = 1000;

/** A dream: live stage and progress (polled every second until it ends), actions, the report. */
export function DreamPage({ id }: { id: string }) {
  const api = useApi();
  const polled = usePolled(
    () => api.dream(id),
    (d) => ENDED.includes(d.status),
    POLL_MS,
    [api, id],
  );
  const { data: dream, error } = polled;
  const action = useAction();

  const ended = dream ? ENDED.includes(dream.status) : false;
  const act = (run: () => Promise<Dream>) => action.run(async () => polled.set(await run()));
  return (
    <>
      <p>
        <a href={href('dreams')}>← Dreams</a>
      </p>
      <h1>
        Dream <span className="mono">{id}</span>
      </h1>
      <ErrorMessage error={error} />
      {!dream && !error && <Loading what="the dream" />}
      {dream && (
        <>
          <div className="summary-row">
            <span data-testid="dream-status">
              <Status value={dream.status} />
            </span>
            <span>
              agent{' '}
              <a href={href(`agents/${dream.agent_id}`)} className="mono">
                {dream.agent_id}
              </a>
            </span>
            <span>publish: {dream.publish}</span>
            <span>
              created <When at={dream.created_at} />
            </span>
            {dream.ended_at && (
              <span>
                ended <When at={dream.ended_at} />
              </span>
            )}
          </div>
          <Progress dream={dream} />
          <div className="actions">
            {!ended && (
              <button
                type="button"
                onClick={() => act(() => api.cancelDream(id))}
                disabled={action.busy || !!dream.cancel_requested_at}
              >
                {dream.cancel_requested_at ? 'Cancel requested' : 'Cancel dream'}
              </button>
            )}
            {ended && !dream.archived_at && (
              <button
                type="button"
                onClick={() => act(() => api.archiveDream(id))}
                disabled={action.busy}
              >
                Archive
              </button>
            )}
            {dream.archived_at && (
              <span className="muted">
                Archived <When at={dream.archived_at} />
              </span>
            )}
            {ended && <DownloadReport id={id} />}
          </div>
          <ErrorMessage error={action.error} />
          {dream.error && (
            <ErrorMessage
              title="The dream failed"
              error={new Error(`${dream.error.type}: ${dream.error.message}`)}
            />
          )}
          <dl className="inline">
            <dt>sessions reviewed</dt>
            <dd>{dream.sessions_reviewed}</dd>
            <dt>simulations</dt>
            <dd>{dream.simulations}</dd>
            <dt>tokens</dt>
            <dd>
              {Object.values(dream.usage)
                .reduce((a, b) => a + b, 0)
                .toLocaleString()}
            </dd>
            {/* The versions as the dream wrote them: a person may have approved, rejected or
                rolled them back since; the playbook page says what each is now. */}
            <dt>versions (status when written)</dt>
            <dd>
              {dream.outputs.map((o) => (
                <a
                  key={`${o.role}-${o.version}`}
                  href={href('playbooks', { agent: dream.agent_id, role: o.role ?? '' })}
                >
                  {o.role ?? 'agent'} v{o.version} ({o.status}){' '}
                </a>
              ))}
              {dream.outputs.length === 0 && '—'}
            </dd>
          </dl>
          {ended && dream.started_at && <Report id={id} />}
        </>
      )}
    </>
  );
}

function Progress({ dream }: { dream: Dream }) {
  const p = dream.progress;
  const pct = p && p.total > 0 ? Math.round((p.completed / p.total) * 100) : null;
  return (
    <div className="progress-block" aria-live="polite">
      <span>
        Stage:{' '}
        <strong>
          {dream.stage ?? (dream.status === 'pending' ? 'waiting for the dreamer' : '—')}
        </strong>
        {p?.message ? ` — ${p.message}` : ''}
      </span>
      {/* A stage that has not counted its work yet is in progress, not at 0 %: no value. */}
      {p && p.total > 0 && (
        <progress max={p.total} value={p.completed} aria-label={`${p.stage} progress`}>
          {pct}%
        </progress>
      )}
      {p && p.total === 0 && <progress aria-label={`${p.stage} in progress`} />}
      {p && p.total > 0 && (
        <span className="small muted">
          {p.completed} / {p.total}
        </span>
      )}
    </div>
  );
}

function DownloadReport({ id }: { id: string }) {
  const api = useApi();
  const action = useAction();
  const download = () =>
    action.run(async () => {
      const markdown = await api.dreamReportMarkdown(id);
      const url = URL.createObjectURL(new Blob([markdown], { type: 'text/markdown' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${id}-report.md`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  return (
    <>
      <button type="button" onClick={download} disabled={action.busy}>
        Download report (Markdown)
      </button>
      <ErrorMessage error={action.error} />
    </>
  );
}

const pct = (v: number) => (Number.isInteger(v) ? String(v) : v <= 1 ? percent(v) : v.toFixed(2));

function Report({ id }: { id: string }) {
  const api = useApi();
  const loaded = useLoad(() => api.dreamReport(id), [id]);
  const r: DreamReport | undefined = loaded.data?.report;
  return (
    <>
      {loaded.loading && <Loading what="the report" />}
      <ErrorMessage error={loaded.error} />
      {r && (
        <div className="report">
          {r.objective && <Objective o={r.objective} />}
          <Section title="Failure patterns">
            <p>
              {r.failedSessions} of {r.sessionsReviewed} sessions reviewed failed.
            </p>
            {r.patterns.length === 0 && <p>No recurring pattern.</p>}
            <ul>
              {r.patterns.map((p) => (
                <li key={p.key}>
                  <strong>{p.description}</strong> — {p.count} session{p.count === 1 ? '' : 's'}
                  {p.roles.length ? `, role ${p.roles.join(', ')}` : ''}
                  {p.steps.length ? `, steps ${p.steps.slice(0, 8).join(', ')}` : ''}
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Where each failure went wrong">
            <Table
              label="localised failures"
              columns={['Session', 'Task', 'Failure', 'Step', 'Role', 'Why']}
            >
              {r.localisations.length === 0 && (
                <tr>
                  <td colSpan={6}>No failed session to localise.</td>
                </tr>
              )}
              {r.localisations.map((l) => (
                <tr key={l.sessionId}>
                  <td>
                    <a
                      className="mono small"
                      href={href(`sessions/${l.sessionId}`, { step: l.step ?? undefined })}
                    >
                      {l.sessionId}
                    </a>
                  </td>
                  <td>{l.task}</td>
                  <td>{l.failure}</td>
                  <td>
                    {l.step !== null ? (
                      <a href={href(`sessions/${l.sessionId}`, { step: l.step })}>step {l.step}</a>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{l.role ?? '—'}</td>
                  <td>
                    {l.detail}{' '}
                    <span className="muted small">
                      ({l.method}, {(l.confidence * 100).toFixed(0)} %)
                    </span>
                  </td>
                </tr>
              ))}
            </Table>
          </Section>
          <Section title="Changes">
            {r.changes.length === 0 && <p>No change.</p>}
            <ul>
              {r.changes.map((c, i) => (
                <li key={i} className="change">
                  <strong>
                    {c.kind}
                    {c.role ? ` (${c.role})` : ''}: {c.title}
                  </strong>
                  <p>{c.reason}</p>
                  {c.evidence.length > 0 && (
                    <p className="small evidence">
                      Evidence:{' '}
                      {c.evidence.slice(0, 10).map((e, j) => (
                        <Fragment key={j}>
                          {j > 0 && ' '}
                          <a
                            href={href(`sessions/${e.sessionId}`, { step: e.step })}
                            className="mono"
                          >
                            {e.sessionId.slice(-8)}
                            {e.step !== undefined ? `@${e.step}` : ''}
                          </a>
                        </Fragment>
                      ))}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          </Section>
          <Section title="Validation split">
            {!r.validation && <p>Not validated.</p>}
            {r.validation && (
              <>
                <p>
                  {r.validation.heldOut} validation task{r.validation.heldOut === 1 ? '' : 's'}, the
                  split that chose and gated; {r.validation.metric}:{' '}
                  <strong>{pct(r.validation.before)}</strong> before →{' '}
                  <strong>{pct(r.validation.after)}</strong> after ·{' '}
                  {r.validation.promote ? 'promoted' : 'not promoted'}
                </p>
                <p className="small">{r.validation.reason}</p>
                {r.validation.regressions.length > 0 && (
                  <p className="small">Regressions: {r.validation.regressions.join(', ')}</p>
                )}
                {!!r.validation.criteria?.length && (
                  <Table
                    label="validation split by criterion"
                    columns={['Criterion', 'Mean score before', 'Mean score after']}
                  >
                    {r.validation.criteria.map((c) => (
                      <tr key={c.id}>
                        <td>{c.id}</td>
                        <td>{score(c.before)}</td>
                        <td>{score(c.after)}</td>
                      </tr>
                    ))}
                  </Table>
                )}
              </>
            )}
            {r.publication && (
              <p>
                Published ({r.publication.mode}):{' '}
                {r.publication.playbooks
                  .map((p) => `${p.role ?? 'agent'} v${p.version} ${p.status}`)
                  .join(', ') || 'nothing'}
              </p>
            )}
            {r.notes.map((n, i) => (
              <p key={i} className="small muted">
                {n}
              </p>
            ))}
          </Section>
          {r.test && <TestSplit test={r.test} />}
        </div>
      )}
    </>
  );
}

const score = (v: number | null | undefined) =>
  v === null || v === undefined ? 'not gradable' : v.toFixed(3);
const passRate = (v: number | null | undefined) =>
  v === null || v === undefined ? 'not gradable' : percent(v);
const satisfied = (g: GroupScore | undefined) =>
  g ? `${g.satisfied} of ${g.tasks} (${percent(g.satisfiedRate)})` : '—';

/** What the dream optimised: the agent's outcome definition or the default rubric. */
function Objective({ o }: { o: NonNullable<DreamReport['objective']> }) {
  return (
    <Section title="What it optimised">
      <p>
        {o.source === 'agent'
          ? `The agent's outcome definition v${o.version}`
          : "The environment's default rubric (the agent has no outcome definition)"}
        : {o.description}
      </p>
      <p className="small">
        Criteria: {o.criteria.map((c) => `${c.id}${c.required ? ' (required)' : ''}`).join(', ')}
      </p>
      {o.notGradable.length > 0 && (
        <p className="small" data-testid="not-gradable">
          Not gradable in a sandbox, so counted neither way by the dream (live grading still checks
          them): {o.notGradable.join(', ')}
        </p>
      )}
    </Section>
  );
}

/** The test split before and after: tasks no dream decision read. */
function TestSplit({ test }: { test: NonNullable<DreamReport['test']> }) {
  const { before, after } = test;
  const named = before.families.filter((f) => f.family !== '');
  return (
    <Section title="Test split">
      <p data-testid="test-split">
        Tasks no decision of the dream read (it chose and gated on the validation split):{' '}
        <strong>{satisfied(before)}</strong> satisfied before
        {after ? (
          <>
            {' '}
            → <strong>{satisfied(after)}</strong> after
          </>
        ) : (
          ' (nothing promoted)'
        )}
        ; mean score {before.meanScore.toFixed(3)}
        {after ? ` → ${after.meanScore.toFixed(3)}` : ''}.
      </p>
      <Table
        label="test split by criterion"
        columns={['Criterion', 'Passed before', 'Passed after']}
      >
        {before.criteria.map((c) => (
          <tr key={c.id}>
            <td>
              {c.id}
              {c.required ? ' (required)' : ''}
            </td>
            <td>{passRate(c.passRate)}</td>
            <td>{after ? passRate(after.criteria.find((a) => a.id === c.id)?.passRate) : '—'}</td>
          </tr>
        ))}
      </Table>
      {named.length > 0 && (
        <>
          <h3>By family</h3>
          <Table
            label="test split by family"
            columns={['Family', 'Satisfied before', 'Satisfied after']}
          >
            {named.map((f) => (
              <tr key={f.family}>
                <td>{f.family}</td>
                <td>{satisfied(f)}</td>
                <td>
                  {after ? satisfied(after.families.find((a) => a.family === f.family)) : '—'}
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </Section>
  );
}
