import { useState, type FormEvent } from 'react';
import { ConsoleApi } from '../api/endpoints';
import type { StoredAuth } from '../auth';
import { ErrorMessage } from '../components/common';

/** Sign in with an API key: checked against GET /v1/me, which also names the tenant. */
export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (auth: StoredAuth) => void;
}) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const apiKey = key.trim();
    try {
      const me = await new ConsoleApi({ baseUrl: '', apiKey }).me();
      onSignedIn({ apiKey, tenant: me.tenant });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in" id="main">
      <h1>Reverie console</h1>
      <p>
        Sign in with an API key. It is kept for this browser tab only and sent only to this server’s
        API.
      </p>
      {notice && (
        <p className="notice" role="status">
          {notice} Sign in again.
        </p>
      )}
      <form onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          placeholder="rvk_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required
        />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <ErrorMessage error={error} title="Sign-in failed" />
      <p className="muted small">
        No key yet? <code>npm run api-key -- create --tenant &lt;name&gt;</code> prints one.
      </p>
    </main>
  );
}
