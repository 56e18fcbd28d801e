/** A failure the user can act on; printed as one line, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The slice of the gateway's REST API the CLI uses. */
export class GatewayClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies of several shapes
  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.apiKey) {
      throw new CliError(
        'no API key: pass --key rvk_... or set REVERIE_API_KEY (create one with npm run api-key -- create --tenant <t>)',
        2,
      );
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          'x-api-key': this.apiKey,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      throw new CliError(
        `cannot reach the gateway at ${this.baseUrl} (${(err as Error).cause ?? (err as Error).message}); is it running? (npm start -- --keep)`,
      );
    }
    const text = await response.text();
    const parsed = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const error = parsed?.error;
      const detail = error?.details?.[0]
        ? ` (${error.details[0].path}: ${error.details[0].message})`
        : '';
      throw new CliError(
        `${method} ${path} failed with ${response.status}: ${error?.message ?? text}${detail}`,
      );
    }
    return parsed as T;
  }

  /** A text body (a Markdown report, say); errors as for `call`. */
  async text(path: string): Promise<string> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: this.apiKey ? { 'x-api-key': this.apiKey } : {},
    }).catch((err: Error) => {
      throw new CliError(`cannot reach the gateway at ${this.baseUrl} (${err.message})`);
    });
    const text = await response.text();
    if (!response.ok) throw new CliError(`GET ${path} failed with ${response.status}: ${text}`);
    return text;
  }

  /** Every stored event of a session, in order. */
  async events(sessionId: string) {
    const all: Record<string, unknown>[] = [];
    let after = 0;
    for (;;) {
      const page = await this.call(
        'GET',
        `/v1/sessions/${sessionId}/events?after_seq=${after}&limit=1000`,
      );
      all.push(...page.data);
      if (!page.has_more) return all;
      after = page.last_seq;
    }
  }
}
