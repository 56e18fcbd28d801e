import { ReverieClient, type HttpMethod } from '@reverie/client';

/** A failure the user can act on; printed as one line, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const clients = new Map<string, ReverieClient>();

/**
 * The CLI's API client (@reverie/client) for a gateway URL and key: retries are reported on
 * `log` (stderr), so a gateway that is briefly overloaded shows as a note, not a silent wait.
 * Without a key it is a usage error (exit 2) that says how to get one.
 */
export function cliClient(
  url: string,
  apiKey: string | undefined,
  log: (line: string) => void = () => undefined,
): ReverieClient {
  if (!apiKey) {
    throw new CliError(
      'no API key: pass --key rvk_... or set REVERIE_API_KEY (create one with npm run api-key -- create --tenant <t>)',
      2,
    );
  }
  const id = `${url}\n${apiKey}`;
  let client = clients.get(id);
  if (!client) {
    client = new ReverieClient({
      baseUrl: url,
      apiKey,
      onRetry: (r) => log(`${r.request}: ${r.reason}; retrying in ${Math.round(r.delayMs)} ms`),
    });
    clients.set(id, client);
  }
  return client;
}

/**
 * Untyped calls by path, for scripts written before @reverie/client (the demo): the same client
 * underneath, with its errors as one-line CliErrors. New code uses the typed client.
 */
export class GatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  /** Checked on first use: a script may construct it before it has a key. */
  private get client(): ReverieClient {
    return cliClient(this.baseUrl, this.apiKey);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of several shapes
  call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    return oneLine(this.client.http.request<T>(method as HttpMethod, path, { body }));
  }

  /** A text body (a Markdown report, say). */
  text(path: string): Promise<string> {
    return oneLine(this.client.http.request<string>('GET', path, { accept: 'text' }));
  }

  /** Every stored event of a session, in order. */
  events(sessionId: string): Promise<Record<string, unknown>[]> {
    return oneLine(this.client.collect(this.client.sessions.allEvents(sessionId)));
  }
}

function oneLine<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: Error) => {
    throw new CliError(err.message);
  });
}
