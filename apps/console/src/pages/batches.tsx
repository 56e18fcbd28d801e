import { useState } from 'react';
import type { Batch } from '../api/types';
import { BATCH_PAGE } from '../api/endpoints';
import { useApi } from '../auth';
import { AgentSelect, useAgentNames } from '../components/agent-select';
import {
  ConfirmAction,
  ErrorMessage,
  Loading,
  PagedTable,
  Section,
  Status,
  usePager,
  useLoad,
  usePolled,
  When,
} from '../components/common';
import { batchSummary, endedOf } from '../lib/batches';
import { href, navigate } from '../router';

/** A running batch's page asks for its progress this often. */
const POLL_MS = 2000;

/** Batches, newest first, with their progress (GET /v1/batches). */
export function BatchesPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const agentId = query.get('agentId') ?? '';
  const pager = usePager();
  const names = useAgentNames();
  const page = useLoad(
    () => api.batches({ agentId: agentId || undefined, after_id: pager.cursor }),
    [agentId, pager.cursor],
  );
  return (
    <>
      <h1>Batches</h1>
      <p className="muted">
        A batch runs one managed session per task (<code>POST /v1/batches</code>,{' '}
        <code>reverie batch</code>); its page follows them as they run and can cancel the rest.
      </p>
      <form className="filters" aria-label="Filter batches" onSubmit={(e) => e.preventDefault()}>
        <AgentSelect
          value={agentId}
          onChange={(v) => {
            pager.reset();
            navigate('batches', { agentId: v });
          }}
        />
      </form>
      <Section title="Batches, newest first">
        <PagedTable
          what="batches"
          loaded={page}
          pager={pager}
          columns={['Batch', 'Agent', 'Environment', 'Progress', 'Created']}
          empty="No batches match."
          rowKey={(b) => b.id}
          row={(b) => (
            <>
              <td>
                {b.title ? (
                  <>
                    <a href={href(`batches/${b.id}`)}>{b.title}</a>
                    <div className="muted small mono">{b.id}</div>
                  </>
                ) : (
                  <a href={href(`batches/${b.id}`)} className="mono">
                    {b.id}
                  </a>
                )}
              </td>
              <td>{names.get(b.agentId) ?? <span className="mono small">{b.agentId}</span>}</td>
              <td>{b.run.environment}</td>
              <td>
                <BatchProgress batch={b} compact />
              </td>
              <td>
                <When at={b.createdAt} />
              </td>
            </>
          )}
        />
      </Section>
    </>
  );
}

/** Running or done, a bar of the sessions ended, and what they ended as. */
function BatchProgress({ batch, compact = false }: { batch: Batch; compact?: boolean }) {
  return (
    <div className={compact ? 'progress-block compact' : 'progress-block'}>
      <Status value={batch.done ? 'done' : 'running'} />
      <progress
        max={batch.total}
        value={endedOf(batch)}
        aria-label={`${batch.title ?? batch.id}: sessions ended`}
      />
      <span className="small">{batchSummary(batch)}</span>
    </div>
  );
}

/**
 * A batch: its progress (polled every 2 s until every session has ended), a cancel for what is
 * left, and its sessions in task order, a page at a time.
 */
export function BatchPage({ id }: { id: string }) {
  const api = useApi();
  const pager = usePager();
  const names = useAgentNames();
  const polled = usePolled(
    () => api.batch(id, pager.cursor),
    (b) => b.done,
    POLL_MS,
    [api, id, pager.cursor],
  );
  const { data: batch, error } = polled;
  const [canceled, setCanceled] = useState<number | null>(null);
  const first = (pager.page - 1) * BATCH_PAGE;
  return (
    <>
      <p>
        <a href={href('batches')}>← Batches</a>
      </p>
      <h1>{batch?.title ?? `Batch ${id}`}</h1>
      <ErrorMessage error={error} />
      {!batch && !error && <Loading what="the batch" />}
      {batch && (
        <>
          <div className="summary-row">
            <span className="mono">{batch.id}</span>
            <span>
              agent{' '}
              <a href={href(`agents/${batch.agentId}`)}>
                {names.get(batch.agentId) ?? batch.agentId}
              </a>
            </span>
            <span>
              {batch.run.environment}
              {batch.run.model ? ` · ${batch.run.model.provider}` : ''}
            </span>
            <span>
              created <When at={batch.createdAt} />
            </span>
          </div>
          <div aria-live="polite">
            <BatchProgress batch={batch} />
          </div>
          {!batch.done && (
            <ConfirmAction
              label="Cancel batch"
              confirm={`Cancel ${batch.counts.running ?? 0} running session(s) now`}
              keep="Keep it running"
              hint="Each ends as canceled: a run not started is skipped, a run under way stops within a few seconds. Sessions that ended keep their status."
              run={async () => {
                const { canceled, ...detail } = await api.cancelBatch(
                  id,
                  'canceled in the console',
                );
                setCanceled(canceled);
                // The answer holds the first page of sessions; another page is read again.
                if (pager.page === 1) polled.set(detail);
                else pager.reset();
              }}
            />
          )}
          {canceled !== null && (
            <p role="status">
              Canceled {canceled} running session(s){canceled === 0 ? ': none was left' : ''}.
            </p>
          )}
          <Section title="Sessions, in task order">
            <PagedTable
              what="sessions of the batch"
              loaded={{
                data: { data: batch.sessions, has_more: batch.has_more, last_id: batch.last_id },
                error: null,
                loading: false,
                reload: () => undefined,
              }}
              pager={pager}
              columns={['Task', 'Session', 'Status', 'Events']}
              empty="This batch has no sessions."
              rowKey={(s) => s.id}
              row={(s) => {
                const index = batch.sessions.indexOf(s);
                return (
                  <>
                    <td className="num">{first + index + 1}</td>
                    <td>
                      <a href={href(`sessions/${s.id}`)}>{s.title ?? s.id}</a>
                      <div className="muted small mono">{s.id}</div>
                    </td>
                    <td>
                      <Status value={s.status} />
                      {s.endReason && <div className="muted small">{s.endReason}</div>}
                    </td>
                    <td className="num">{s.eventCount}</td>
                  </>
                );
              }}
            />
          </Section>
        </>
      )}
    </>
  );
}
