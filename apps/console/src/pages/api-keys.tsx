import { useState, type FormEvent } from 'react';
import type { ApiKey } from '@reverie/client';
import { useApi, useAuth } from '../auth';
import { ErrorMessage, PagedTable, Section, useAction, useLoad, When } from '../components/common';

/**
 * The tenant's API keys (for an admin key; another key is told what it takes): create one
 * (shown once), the active keys with when each was last used, and revoke. Revoking the key the
 * console signed in with signs out.
 */
export function ApiKeysPage() {
  const api = useApi();
  const { signOut } = useAuth();
  const me = useLoad(() => api.me(), []);
  const keys = useLoad(() => api.apiKeys(), []);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const revoke = useAction();
  const [confirming, setConfirming] = useState<string | null>(null);
  const ownKey = me.data?.key_id ?? null;

  async function revokeKey(k: ApiKey) {
    if (!(await revoke.run(() => api.revokeApiKey(k.id)))) return;
    setConfirming(null);
    if (k.id === ownKey) signOut(`You revoked the key this console signed in with (${k.name}).`);
    else keys.reload();
  }

  if (me.data && !me.data.scopes.includes('admin'))
    return (
      <>
        <h1>API keys</h1>
        <p className="notice">
          The key this console signed in with cannot manage keys: that takes a key with the{' '}
          <code>admin</code> scope (<code>npm run api-key -- create --tenant {me.data.tenant}</code>{' '}
          makes one).
        </p>
      </>
    );
  return (
    <>
      <h1>API keys</h1>
      <CreateKey
        onCreated={(k) => {
          setCreated(k);
          keys.reload();
        }}
      />
      {created?.key && <NewKey created={created} onDone={() => setCreated(null)} />}
      <Section title="Active keys">
        <p className="small muted">
          Only a key’s hash is stored; a revoked key is refused at once on every gateway replica.
        </p>
        <ErrorMessage error={revoke.error} title="Not revoked" />
        <PagedTable
          what="API keys"
          loaded={keys}
          columns={['Name', 'Key', 'Scopes', 'Created', 'Last used', 'Actions']}
          empty="No active keys."
          rowKey={(k) => k.id}
          row={(k) => (
            <>
              <td>
                {k.name}
                {k.id === ownKey && <div className="small muted">this console’s key</div>}
              </td>
              <td>
                <span className="mono small" data-testid="key-prefix">
                  {k.prefix}_…
                </span>
                <div className="mono small muted">{k.id}</div>
              </td>
              <td>{k.scopes.length ? k.scopes.join(', ') : 'API'}</td>
              <td>
                <When at={k.created_at} />
              </td>
              <td>
                <When at={k.last_used_at} />
              </td>
              <td>
                {confirming === k.id ? (
                  <div className="actions">
                    <button
                      type="button"
                      className="danger"
                      disabled={revoke.busy}
                      onClick={() => revokeKey(k)}
                    >
                      Revoke {k.name} now{k.id === ownKey ? ' and sign out' : ''}
                    </button>
                    <button type="button" onClick={() => setConfirming(null)}>
                      Keep it
                    </button>
                  </div>
                ) : (
                  <button
                    type="button"
                    onClick={() => setConfirming(k.id)}
                    aria-label={`Revoke ${k.name}`}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </>
          )}
        />
      </Section>
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: ApiKey) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const action = useAction();
  async function submit(e: FormEvent) {
    e.preventDefault();
    let key: ApiKey | null = null;
    const ok = await action.run(async () => {
      key = await api.createApiKey(name.trim(), admin ? ['admin'] : []);
    });
    if (ok && key) {
      setName('');
      setAdmin(false);
      onCreated(key);
    }
  }
  return (
    <Section title="Create a key">
      <form className="filters" onSubmit={submit} aria-label="Create an API key">
        <span className="field grow">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="ci, billing-service, …"
            required
          />
        </span>
        <span className="field">
          <label htmlFor="key-admin">
            <input
              id="key-admin"
              type="checkbox"
              checked={admin}
              onChange={(e) => setAdmin(e.target.checked)}
            />{' '}
            admin (may manage keys)
          </label>
        </span>
        <button type="submit" disabled={action.busy}>
          Create key
        </button>
      </form>
      <ErrorMessage error={action.error} title="Not created" />
    </Section>
  );
}

/** The key just created: shown this once, never again (only its hash is stored). */
function NewKey({ created, onDone }: { created: ApiKey; onDone: () => void }) {
  return (
    <div className="notice" role="status" data-testid="new-key">
      <p>
        <strong>{created.name}</strong> was created. Copy its key now: it is shown only this once.
      </p>
      <label className="sr-only" htmlFor="new-key-value">
        The new key
      </label>
      <input
        id="new-key-value"
        className="mono key-once"
        readOnly
        value={created.key ?? ''}
        onFocus={(e) => e.target.select()}
      />{' '}
      <button type="button" onClick={onDone}>
        I have copied it
      </button>
    </div>
  );
}
