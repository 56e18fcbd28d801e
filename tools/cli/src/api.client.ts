import { ReverieClient } from '@reverie/client';

/** A failure the user can act on; printed as one line, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** The command's usage, printed under the message (a usage error). */
    readonly usage?: string,
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
      // The reason starts with the request (`POST /v1/...: cannot reach the API ...`).
      onRetry: (r) => log(`${r.reason}; retrying in ${Math.round(r.delayMs)} ms`),
    });
    clients.set(id, client);
  }
  return client;
}
