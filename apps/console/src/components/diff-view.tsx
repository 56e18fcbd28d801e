import { useApi } from '../auth';
import { DIFF_FIELDS, fieldText, sideBySide, type DiffableEntry } from '../lib/side-by-side';
import { ErrorMessage, Loading, useLoad } from './common';

/** Two versions side by side, entry by entry, changed fields marked. */
export function DiffView({
  agentId,
  role,
  from,
  to,
}: {
  agentId: string;
  role?: string;
  from: number;
  to: number;
}) {
  const api = useApi();
  const versions = useLoad(
    () =>
      Promise.all([
        from > 0
          ? api.version(agentId, from, role)
          : Promise.resolve({ entries: [] as DiffableEntry[] }),
        api.version(agentId, to, role),
      ]),
    [agentId, role, from, to],
  );
  if (versions.loading) return <Loading what="the versions" />;
  if (versions.error) return <ErrorMessage error={versions.error} />;
  const [a, b] = versions.data ?? [];
  const rows = sideBySide(
    (a?.entries ?? []) as DiffableEntry[],
    (b?.entries ?? []) as DiffableEntry[],
  );
  return (
    <div className="diff" role="table" aria-label={`Entries of v${from} and v${to} side by side`}>
      <div className="diff-row diff-head" role="row">
        <span role="columnheader">v{from}</span>
        <span role="columnheader">v{to}</span>
      </div>
      {rows.length === 0 && <p>Both versions are empty.</p>}
      {rows.map((r) => (
        <div key={r.id} className={`diff-row diff-${r.change}`} role="row">
          <Side entry={r.left} fields={r.fields} change={r.change} side="left" />
          <Side entry={r.right} fields={r.fields} change={r.change} side="right" />
        </div>
      ))}
    </div>
  );
}

function Side({
  entry,
  fields,
  change,
  side,
}: {
  entry: DiffableEntry | null;
  fields: string[];
  change: string;
  side: 'left' | 'right';
}) {
  if (!entry)
    return (
      <div role="cell" className="diff-empty">
        {side === 'left' ? '(added)' : '(removed)'}
      </div>
    );
  return (
    <div role="cell">
      <div className="mono small muted">
        {entry.id}{' '}
        {change !== 'same' && side === 'right' && (
          <span className={`badge badge-${change}`}>{change}</span>
        )}
      </div>
      {DIFF_FIELDS.filter((f) => entry[f] !== undefined).map((f) => (
        <div key={f} className={fields.includes(f) ? 'field-changed' : undefined}>
          <span className="muted small">{f}:</span>{' '}
          <span className="pre">{fieldText(entry[f])}</span>
        </div>
      ))}
    </div>
  );
}
