// Tests read arbitrary JSON bodies and assert on their fields.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A small HTTP client for tests and scripts: real HTTP against a running gateway. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly apiKey?: string,
  ) {}

  withKey(apiKey: string): ApiClient {
    return new ApiClient(this.baseUrl, apiKey);
  }

  async request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    init: { rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    // JSON unless the caller names another type (to see what the API makes of it).
    if ((body !== undefined || init.rawBody !== undefined) && !headers['content-type'])
      headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: init.rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
  }

  get<T = Json>(path: string) {
    return this.request<T>('GET', path);
  }

  post<T = Json>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }

  patch<T = Json>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }

  put<T = Json>(path: string, body: unknown) {
    return this.request<T>('PUT', path, body);
  }
}
