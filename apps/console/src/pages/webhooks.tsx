import { useApi } from '../auth';
import {
  ErrorMessage,
  Loading,
  PagedTable,
  Section,
  Status,
  useLoad,
  When,
} from '../components/common';
import { href } from '../router';

/** Webhook subscriptions, and each delivery with its attempts (status code, timing, error). */
export function WebhooksPage({ id }: { id?: string }) {
  const api = useApi();
  const hooks = useLoad(() => api.webhooks(), []);
  return (
    <>
      <h1>Webhooks</h1>
      <Section title="Subscriptions">
        <PagedTable
          what="webhooks"
          loaded={hooks}
          columns={['Endpoint', 'Events', 'State', 'Created']}
          empty={
            <p>
              No subscriptions. Create one with <code>POST /v1/webhooks</code>.
            </p>
          }
          rowKey={(h) => h.id}
          row={(h) => (
            <>
              <td>
                <a href={href(`webhooks/${h.id}`)} aria-current={h.id === id ? 'page' : undefined}>
                  {h.url}
                </a>
                {h.description && <div className="small muted">{h.description}</div>}
              </td>
              <td>{h.event_types.join(', ')}</td>
              <td>
                <Status value={h.enabled === false ? 'disabled' : 'enabled'} />
                {h.disabled_reason && <div className="small">{h.disabled_reason}</div>}
              </td>
              <td>
                <When at={h.created_at} />
              </td>
            </>
          )}
        />
      </Section>
      {id && <Deliveries id={id} />}
    </>
  );
}

function Deliveries({ id }: { id: string }) {
  const api = useApi();
  const deliveries = useLoad(() => api.deliveries(id), [id]);
  return (
    <Section title="Deliveries">
      {deliveries.loading && <Loading what="deliveries" />}
      <ErrorMessage error={deliveries.error} />
      {deliveries.data?.data.length === 0 && <p>No deliveries yet.</p>}
      <ul className="deliveries">
        {deliveries.data?.data.map((d) => (
          <li key={d.id} className="card-inner">
            <p>
              <strong>{d.event_type}</strong> <Status value={d.status} />{' '}
              <span className="mono small">{d.id}</span> <When at={d.created_at} />
            </p>
            <table>
              <thead>
                <tr>
                  <th scope="col">Attempt</th>
                  <th scope="col">At</th>
                  <th scope="col">Status code</th>
                  <th scope="col">Took</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {d.attempts.map((a, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>
                      <When at={a.at} />
                    </td>
                    <td>{a.status_code ?? '—'}</td>
                    <td>{a.duration_ms !== undefined ? `${a.duration_ms} ms` : '—'}</td>
                    <td>{a.error ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {d.next_attempt_at ? (
              <p className="small">
                Next attempt <When at={d.next_attempt_at as string} />
              </p>
            ) : null}
          </li>
        ))}
      </ul>
    </Section>
  );
}
