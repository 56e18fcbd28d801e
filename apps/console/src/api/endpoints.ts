import { Http, type HttpOptions } from './http';
import type { AgentDreaming, ApiKey, PlaybookTrial } from '@reverie/client';
import type {
  Agent,
  Batch,
  BatchDetail,
  Caller,
  Dream,
  DreamReport,
  EventPage,
  Feedback,
  Outcome,
  Page,
  PlaybookVersion,
  PlaybookVersionPage,
  Session,
  Webhook,
  WebhookDelivery,
} from './types';

const enc = encodeURIComponent;

/** Sessions on one page of a batch. */
export const BATCH_PAGE = 100;

/** Every API call the console makes, one method each (the seam for `@reverie/client`). */
export class ConsoleApi {
  private readonly http: Http;

  constructor(options: HttpOptions) {
    this.http = new Http(options);
  }

  me = () => this.http.get<Caller>('/v1/me');

  // agents
  agents = (after_name?: string) =>
    this.http.get<Page<Agent> & { last_name: string | null }>('/v1/agents', {
      limit: 100,
      after_name,
    });
  agent = (id: string) => this.http.get<Agent>(`/v1/agents/${enc(id)}`);
  pause = (agentId?: string) =>
    this.http.get<{ paused: boolean; reason?: string | null }>('/v1/dreaming/pause', {
      agent_id: agentId,
    });
  setPause = (paused: boolean, agentId?: string, reason?: string) =>
    this.http.put<{ paused: boolean }>('/v1/dreaming/pause', { paused, agent_id: agentId, reason });
  agentDreaming = (agentId: string) =>
    this.http.get<AgentDreaming>(`/v1/agents/${enc(agentId)}/dreaming`);
  outcomeDefinition = (agentId: string) =>
    this.http.get<Record<string, unknown>>(`/v1/agents/${enc(agentId)}/outcome`);

  // sessions
  sessions = (q: {
    agentId?: string;
    status?: string;
    from?: string;
    to?: string;
    after_id?: string;
    limit?: number;
  }) => this.http.get<Page<Session>>('/v1/sessions', { limit: 25, ...q });
  session = (id: string) => this.http.get<Session>(`/v1/sessions/${enc(id)}`);
  events = (id: string, after_seq: number, limit = 1000) =>
    this.http.get<EventPage>(`/v1/sessions/${enc(id)}/events`, { after_seq, limit });
  feedback = (id: string) =>
    this.http.get<{ data: Feedback[] }>(`/v1/sessions/${enc(id)}/feedback`);
  giveFeedback = (id: string, rating: 'positive' | 'negative', eventId?: string) =>
    this.http.post<unknown>(`/v1/sessions/${enc(id)}/feedback`, { rating, eventId });
  sessionOutcome = (id: string) => this.http.get<Outcome>(`/v1/sessions/${enc(id)}/outcome`);
  endSession = (
    id: string,
    body: { status: 'completed' | 'failed' | 'canceled'; reason?: string },
  ) => this.http.post<Session>(`/v1/sessions/${enc(id)}/end`, body);

  // batches
  batches = (q: { agentId?: string; after_id?: string }) =>
    this.http.get<Page<Batch>>('/v1/batches', { limit: 25, ...q });
  batch = (id: string, after_id?: string) =>
    this.http.get<BatchDetail>(`/v1/batches/${enc(id)}`, { limit: BATCH_PAGE, after_id });
  cancelBatch = (id: string, reason: string) =>
    this.http.post<BatchDetail & { canceled: number }>(`/v1/batches/${enc(id)}/cancel`, {
      reason,
    });

  // outcomes
  outcomes = (q: { agentId?: string; result?: string; after_id?: string; limit?: number }) =>
    this.http.get<Page<Outcome>>('/v1/outcomes', { limit: 25, ...q });

  // dreams
  dreams = (q: {
    agent_id?: string;
    status?: string;
    include_archived?: boolean;
    after_id?: string;
  }) => this.http.get<Page<Dream>>('/v1/dreams', { limit: 25, ...q });
  dream = (id: string) => this.http.get<Dream>(`/v1/dreams/${enc(id)}`);
  startDream = (body: { agent_id: string; max_sessions?: number; instructions?: string }) =>
    this.http.post<Dream>('/v1/dreams', body);
  cancelDream = (id: string) => this.http.post<Dream>(`/v1/dreams/${enc(id)}/cancel`);
  archiveDream = (id: string) => this.http.post<Dream>(`/v1/dreams/${enc(id)}/archive`);
  dreamReport = (id: string) =>
    this.http.get<{ report: DreamReport }>(`/v1/dreams/${enc(id)}/report`);
  dreamReportMarkdown = (id: string) =>
    this.http.text(`/v1/dreams/${enc(id)}/report`, { format: 'markdown' });

  // playbooks
  private pb = (agentId: string, rest = '') => `/v1/agents/${enc(agentId)}/playbook${rest}`;
  playbook = (agentId: string, role?: string) =>
    this.http.get<PlaybookVersion>(this.pb(agentId), { role });
  versions = (agentId: string, role?: string, status?: string, before_version?: number) =>
    this.http.get<PlaybookVersionPage>(this.pb(agentId, '/versions'), {
      role,
      status,
      before_version,
      limit: 100,
    });
  version = (agentId: string, v: number, role?: string) =>
    this.http.get<PlaybookVersion>(this.pb(agentId, `/versions/${v}`), { role });
  addEntry = (
    agentId: string,
    role: string | undefined,
    entry: { title: string; guidance: string; message?: string },
  ) => this.http.post<PlaybookVersion>(this.pb(agentId, '/entries'), entry, { role });
  editEntry = (
    agentId: string,
    role: string | undefined,
    entryId: string,
    patch: Record<string, unknown>,
  ) =>
    this.http.patch<PlaybookVersion>(this.pb(agentId, `/entries/${enc(entryId)}`), patch, { role });
  retireEntry = (agentId: string, role: string | undefined, entryId: string, reason: string) =>
    this.http.post<PlaybookVersion>(
      this.pb(agentId, `/entries/${enc(entryId)}/retire`),
      { reason },
      { role },
    );
  rollback = (agentId: string, role: string | undefined, version: number) =>
    this.http.post<PlaybookVersion>(this.pb(agentId, '/rollback'), { version }, { role });
  approve = (agentId: string, role: string | undefined, v: number) =>
    this.http.post<PlaybookVersion>(this.pb(agentId, `/versions/${v}/approve`), {}, { role });
  reject = (agentId: string, role: string | undefined, v: number, reason: string) =>
    this.http.post<PlaybookVersion>(
      this.pb(agentId, `/versions/${v}/reject`),
      { reason },
      { role },
    );

  // canary trials
  trials = (agentId: string, q: { before?: string; status?: PlaybookTrial['status'] } = {}) =>
    this.http.get<Page<PlaybookTrial> & { last_started_at: string | null }>(
      `/v1/agents/${enc(agentId)}/trials`,
      { limit: 10, ...q },
    );

  // API keys (admin keys only)
  apiKeys = () => this.http.get<{ data: ApiKey[] }>('/v1/api-keys');
  createApiKey = (name: string, scopes: string[]) =>
    this.http.post<ApiKey>('/v1/api-keys', { name, scopes });
  revokeApiKey = (id: string) => this.http.post<ApiKey>(`/v1/api-keys/${enc(id)}/revoke`);

  // webhooks
  webhooks = () => this.http.get<Page<Webhook>>('/v1/webhooks');
  deliveries = (id: string) =>
    this.http.get<Page<WebhookDelivery>>(`/v1/webhooks/${enc(id)}/deliveries`);
}
