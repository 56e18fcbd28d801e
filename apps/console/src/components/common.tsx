import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, errorTitle } from '../api/http';

/**
 * An error as the API said it: its message, type and status, and the fields it names. Titled by
 * what happened (refused, failed, not reached, timed out) unless the caller names it.
 */
export function ErrorMessage({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  // A detail the message already says (a one-field refusal names its field) is not said twice.
  const details = api ? api.details.filter((d) => !message.includes(d.message)) : [];
  return (
    <div className="error" role="alert">
      <strong>{title ?? errorTitle(error)}:</strong> {message}
      {api && api.status > 0 && (
        <span className="error-meta">
          {' '}
          ({api.status} {api.type})
        </span>
      )}
      {details.length > 0 && (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              <code>{d.path}</code>: {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads data for a page; reloads when `deps` change or on `reload()`. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (data) => live && setState({ data, loading: false }),
      (error) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Runs an action (a button's), tracking whether it runs and what it failed with. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: () => setError(null) };
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Status({ value }: { value: string | null | undefined }) {
  const v = value ?? 'unknown';
  return (
    <span className={`badge badge-${v.replace(/[^a-z_]/gi, '')}`}>{v.replace(/_/g, ' ')}</span>
  );
}

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  const d = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {d.toISOString().replace('T', ' ').slice(0, 19)} UTC
    </time>
  );
}

export function Section({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card" aria-label={title}>
      <div className="card-head">
        <h2>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Json({ value }: { value: unknown }) {
  // Focusable: a reader scrolls a wide document with the keyboard too.
  return (
    <pre className="json" tabIndex={0}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/** Cursor paging: a stack of the cursors of the pages before this one. */
export function usePager() {
  const [stack, setStack] = useState<string[]>([]);
  const cursor = stack.at(-1);
  return {
    cursor,
    page: stack.length + 1,
    next: (last: string | null | undefined) => last && setStack((s) => [...s, last]),
    prev: () => setStack((s) => s.slice(0, -1)),
    reset: () => setStack([]),
  };
}

export function Pager({
  page,
  hasMore,
  onPrev,
  onNext,
  label,
}: {
  page: number;
  hasMore: boolean;
  onPrev: () => void;
  onNext: () => void;
  label: string;
}) {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrev} disabled={page <= 1}>
        ← Previous
      </button>
      <span aria-live="polite">Page {page}</span>
      <button type="button" onClick={onNext} disabled={!hasMore}>
        Next →
      </button>
    </nav>
  );
}

/** What a list route answers: rows, and for a paged one, whether more follow and the cursor. */
export interface Rows<T> {
  data: T[];
  has_more?: boolean;
  last_id?: string | null;
}

/**
 * A list page's table: loading, the API's error, the empty message, the table (in its
 * horizontally scrolling wrapper) with a header per column and one row per item, and, given a
 * pager, the cursor pager under it.
 */
/**
 * A table with a header row of `columns` and `children` as its body rows. Focusable and named: at
 * 768 px a wide table scrolls sideways, by keyboard too.
 */
export function Table({
  label,
  columns,
  children,
}: {
  /** What the rows are: the region is named "Table of <label>". */
  label: string;
  columns: ReactNode[];
  children: ReactNode;
}) {
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={`Table of ${label}`}>
      <table>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function PagedTable<T>({
  what,
  loaded,
  columns,
  rowKey,
  row,
  empty,
  pager,
}: {
  /** What the rows are, for "Loading …" and the pager's label ("sessions"). */
  what: string;
  loaded: Loaded<Rows<T>>;
  columns: string[];
  rowKey: (item: T) => string;
  /** The row's cells (`<td>`s). */
  row: (item: T) => ReactNode;
  empty: ReactNode;
  pager?: ReturnType<typeof usePager>;
}) {
  const rows = loaded.data?.data;
  return (
    <>
      {loaded.loading && <Loading what={what} />}
      <ErrorMessage error={loaded.error} />
      {rows && rows.length === 0 && (typeof empty === 'string' ? <p>{empty}</p> : empty)}
      {rows && rows.length > 0 && (
        <Table label={what} columns={columns}>
          {rows.map((item) => (
            <tr key={rowKey(item)}>{row(item)}</tr>
          ))}
        </Table>
      )}
      {pager && (
        <Pager
          label={what[0].toUpperCase() + what.slice(1)}
          page={pager.page}
          hasMore={loaded.data?.has_more ?? false}
          onPrev={pager.prev}
          onNext={() => pager.next(loaded.data?.last_id)}
        />
      )}
    </>
  );
}

/**
 * An action that cannot be taken back, behind a second click: `label` asks, `confirm` does it,
 * `keep` leaves things be, and `hint` says what follows. Shows the API's error when it fails.
 */
export function ConfirmAction({
  label,
  confirm,
  keep,
  hint,
  run,
}: {
  label: string;
  confirm: string;
  keep: string;
  hint: ReactNode;
  run: () => Promise<unknown>;
}) {
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const go = async () => {
    if (await action.run(run)) setConfirming(false);
  };
  return (
    <div className="actions">
      {confirming ? (
        <>
          <button type="button" className="danger" onClick={go} disabled={action.busy}>
            {confirm}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {keep}
          </button>
          <span className="muted small">{hint}</span>
        </>
      ) : (
        <button type="button" onClick={() => setConfirming(true)}>
          {label}
        </button>
      )}
      <ErrorMessage error={action.error} />
    </div>
  );
}

/**
 * Loads now, and again every `everyMs` until `ended(data)` says there is nothing more to follow
 * (a dream or a batch that ended) or a load fails; starts over when `deps` change. `set` replaces
 * what is shown with what an action answered, polling on while it has not ended.
 */
export function usePolled<T>(
  load: () => Promise<T>,
  ended: (data: T) => boolean,
  everyMs: number,
  deps: unknown[],
) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const loadRef = useRef(load);
  loadRef.current = load;
  const endedRef = useRef(ended);
  endedRef.current = ended;
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const d = await loadRef.current();
        if (!live) return;
        setData(d);
        setError(null);
        if (!endedRef.current(d)) timer = setTimeout(poll, everyMs);
      } catch (err) {
        if (live) setError(err);
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [everyMs, ...deps]);
  return { data, error, set: setData };
}
