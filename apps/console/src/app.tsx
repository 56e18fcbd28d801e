import { useMemo, useState, type ReactNode } from 'react';
import { ConsoleApi } from './api/endpoints';
import { AuthContext, clearAuth, loadAuth, saveAuth, type StoredAuth } from './auth';
import { href, useRoute, type Route } from './router';
import { SignIn } from './pages/sign-in';
import { AgentsPage } from './pages/agents';
import { SessionsPage } from './pages/sessions';
import { SessionPage } from './pages/session';
import { BatchesPage, BatchPage } from './pages/batches';
import { OutcomesPage } from './pages/outcomes';
import { DreamsPage } from './pages/dreams';
import { DreamPage } from './pages/dream';
import { PlaybooksPage } from './pages/playbooks';
import { WebhooksPage } from './pages/webhooks';
import { LearningPage } from './pages/learning';
import { ApiKeysPage } from './pages/api-keys';

const NAV = [
  ['agents', 'Agents'],
  ['sessions', 'Sessions'],
  ['batches', 'Batches'],
  ['outcomes', 'Outcomes'],
  ['dreams', 'Dreams'],
  ['playbooks', 'Playbooks'],
  ['webhooks', 'Webhooks'],
  ['learning', 'Learning'],
  ['api-keys', 'API keys'],
] as const;

function page(route: Route): ReactNode {
  const [section = 'agents', id] = route.parts;
  switch (section) {
    case 'agents':
      return <AgentsPage id={id} />;
    case 'sessions':
      return id ? (
        <SessionPage key={id} id={id} step={route.query.get('step')} />
      ) : (
        <SessionsPage query={route.query} />
      );
    case 'batches':
      return id ? <BatchPage key={id} id={id} /> : <BatchesPage query={route.query} />;
    case 'outcomes':
      return <OutcomesPage query={route.query} />;
    case 'dreams':
      return id ? <DreamPage key={id} id={id} /> : <DreamsPage query={route.query} />;
    case 'playbooks':
      return <PlaybooksPage query={route.query} />;
    case 'webhooks':
      return <WebhooksPage id={id} />;
    case 'learning':
      return <LearningPage query={route.query} />;
    case 'api-keys':
      return <ApiKeysPage />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            The console has no page “{section}”. Pick one from the menu, or go to the{' '}
            <a href={href('agents')}>agents</a>.
          </p>
        </>
      );
  }
}

export function App() {
  const [auth, setAuth] = useState<StoredAuth | null>(() => loadAuth());
  const [signedOutBecause, setSignedOutBecause] = useState<string | null>(null);
  const route = useRoute();

  const context = useMemo(() => {
    if (!auth) return null;
    const signOut = (reason?: string) => {
      clearAuth();
      setSignedOutBecause(reason ?? null);
      setAuth(null);
    };
    const api = new ConsoleApi({
      baseUrl: '',
      apiKey: auth.apiKey,
      onUnauthenticated: (error) => signOut(`The API refused the key: ${error.message}`),
    });
    return { api, tenant: auth.tenant, signOut };
  }, [auth]);

  if (!context) {
    return (
      <SignIn
        notice={signedOutBecause}
        onSignedIn={(a) => {
          saveAuth(a);
          setSignedOutBecause(null);
          setAuth(a);
        }}
      />
    );
  }

  const current = route.parts[0] ?? 'agents';
  return (
    <AuthContext.Provider value={context}>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="top">
        <div className="brand">
          Reverie <span className="muted">console</span>
        </div>
        <nav aria-label="Pages" className="nav">
          {NAV.map(([path, label]) => (
            <a key={path} href={href(path)} aria-current={current === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <div className="who">
          <span>
            Tenant <strong data-testid="tenant">{context.tenant}</strong>
          </span>
          <button type="button" onClick={() => context.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page(route)}
      </main>
    </AuthContext.Provider>
  );
}
