import { collect, paginate } from './paging';
import { routePath, ROUTES, type RouteName } from './routes';
import {
  HttpTransport,
  newIdempotencyKey,
  type RequestOptions,
  type TransportOptions,
} from './transport';
import type {
  Agent,
  AgentDreaming,
  ApiKey,
  AppendEventsResult,
  Batch,
  BatchDetail,
  Caller,
  CreateAgentRequest,
  CreateBatchRequest,
  CreateDreamRequest,
  CreateSessionRequest,
  CreateWebhookRequest,
  Dream,
  DreamingControl,
  DreamListQuery,
  DreamReportResponse,
  EndSessionRequest,
  EventInput,
  EventsPage,
  Feedback,
  FeedbackInput,
  Health,
  Json,
  Outcome,
  OutcomeDefinition,
  OutcomeListQuery,
  Page,
  PageQuery,
  PlaybookDiff,
  PlaybookRender,
  PlaybookVersion,
  RoleQuery,
  Session,
  SessionEvent,
  SessionListQuery,
  Webhook,
  WebhookDelivery,
  PlaybookTrial,
} from './types';

type Query = RequestOptions['query'];
type Params = Record<string, string | number>;
/** Per-call options: an AbortSignal to give up early. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** Options of a call that creates something under a new id. */
export interface CreateOptions extends CallOptions {
  /**
   * The call's `Idempotency-Key` (default: a new random one per call), sent on each of its
   * attempts: however often it is retried, and also after a 503 whose request Kafka delivered
   * late, the API creates one resource and answers its id. Pass your own to make your own
   * retries of the call (after a crash, say) safe too; one key per logical request.
   */
  idempotencyKey?: string;
}

/**
 * Request options for a call under an `Idempotency-Key`: the key on every attempt, and retried
 * like an idempotent call (after a network error, a timeout, 502 or 504 too).
 */
function keyed({ idempotencyKey, ...o }: CreateOptions): RequestOptions {
  return {
    ...o,
    idempotent: true,
    headers: { 'Idempotency-Key': idempotencyKey ?? newIdempotencyKey() },
  };
}

/** Statuses after which a dream does not change any more. */
export const DREAM_FINAL_STATUSES: readonly string[] = ['completed', 'failed', 'canceled'];

/**
 * A typed client of the Reverie public API: every route (see ROUTES), the API's error body as
 * ReverieApiError, bounded retries that honour Retry-After, timeouts, and paging helpers
 * (`listAll`, `allEvents`) that fetch pages as they are read. Works in Node 20 and browsers.
 *
 *   const reverie = new ReverieClient({ baseUrl: 'http://localhost:3000', apiKey: 'rvk_...' });
 *   const session = await reverie.sessions.create({ agentId, title: 'ticket 42' });
 */
export class ReverieClient {
  readonly http: HttpTransport;

  constructor(options: TransportOptions) {
    this.http = new HttpTransport(options);
  }

  /** The same API with another key (the console after signing in, an admin key for a moment). */
  withKey(apiKey: string): ReverieClient {
    return new ReverieClient({ ...this.http.options, apiKey });
  }

  /** Calls one route of ROUTES. */
  call<T>(route: RouteName, params: Params = {}, options: RequestOptions = {}): Promise<T> {
    return this.http.request<T>(ROUTES[route][0], routePath(route, params), options);
  }

  /** Who the key speaks for: its tenant, id and scopes (any valid key; checks a key). */
  me(o: CallOptions = {}) {
    return this.call<Caller>('me', {}, o);
  }

  readonly agents = {
    /** The tenant's agents by name, paged by `after_name`. */
    list: (query: { limit?: number; after_name?: string } = {}, o: CallOptions = {}) =>
      this.call<{ data: Agent[]; has_more: boolean; last_name: string | null }>(
        'agents.list',
        {},
        { query: q(query), ...o },
      ),
    create: (body: CreateAgentRequest, o: CallOptions = {}) =>
      this.call<Agent>('agents.create', {}, { body, ...o }),
    get: (id: string, o: CallOptions = {}) => this.call<Agent>('agents.get', { id }, o),
    /** Merges `model` and `dreaming` into what is stored. */
    update: (id: string, body: Partial<CreateAgentRequest>, o: CallOptions = {}) =>
      this.call<Agent>('agents.update', { id }, { body, ...o }),
  };

  readonly sessions = {
    /** Safe to retry: sent with an `Idempotency-Key` (see CreateOptions). */
    create: (body: CreateSessionRequest, o: CreateOptions = {}) =>
      this.call<Session>('sessions.create', {}, { body, ...keyed(o) }),
    get: (id: string, o: CallOptions = {}) => this.call<Session>('sessions.get', { id }, o),
    list: (query: SessionListQuery = {}, o: CallOptions = {}) =>
      this.call<Page<Session>>('sessions.list', {}, { query: q(query), ...o }),
    /** Every session matching `query`, newest first, page after page. */
    listAll: (query: Omit<SessionListQuery, 'after_id'> = {}, o: CallOptions = {}) =>
      paginate((after_id) => this.sessions.list({ limit: 100, ...query, after_id }, o)),
    /**
     * Sends a batch of events (at most the gateway's MAX_EVENTS_PER_REQUEST, default 500). Safe to
     * retry: each event's `clientEventId` makes a resent event the same stored event.
     */
    appendEvents: (id: string, events: EventInput[], o: CallOptions = {}) =>
      this.call<AppendEventsResult>(
        'sessions.appendEvents',
        { id },
        { body: { events }, idempotent: true, ...o },
      ),
    events: (id: string, query: { after_seq?: number; limit?: number } = {}, o: CallOptions = {}) =>
      this.call<EventsPage>('sessions.events', { id }, { query: q(query), ...o }),
    /** Every stored event of a session in `seq` order, from `afterSeq` (default 0). */
    allEvents: (id: string, afterSeq = 0, o: CallOptions = {}) => this.eventsFrom(id, afterSeq, o),
    end: (id: string, body: EndSessionRequest, o: CallOptions = {}) =>
      this.call<Session>('sessions.end', { id }, { body, ...o }),
    /** Safe to retry: sent with an `Idempotency-Key` (see CreateOptions). */
    sendFeedback: (id: string, body: FeedbackInput, o: CreateOptions = {}) =>
      this.call<Feedback>('sessions.sendFeedback', { id }, { body, ...keyed(o) }),
    feedback: (id: string, o: CallOptions = {}) =>
      this.call<{ data: Feedback[] }>('sessions.feedback', { id }, o),
    /** The session's latest verdict with its `history`. */
    outcome: (id: string, o: CallOptions = {}) => this.call<Outcome>('sessions.outcome', { id }, o),
  };

  readonly batches = {
    /** Safe to retry: sent with an `Idempotency-Key` (see CreateOptions). */
    create: (body: CreateBatchRequest, o: CreateOptions = {}) =>
      this.call<BatchDetail>('batches.create', {}, { body, ...keyed(o) }),
    list: (query: PageQuery & { agentId?: string } = {}, o: CallOptions = {}) =>
      this.call<Page<Batch>>('batches.list', {}, { query: q(query), ...o }),
    /** A batch with its progress and a page of its sessions. */
    get: (id: string, query: PageQuery = {}, o: CallOptions = {}) =>
      this.call<BatchDetail>('batches.get', { id }, { query: q(query), ...o }),
    /**
     * Ends its sessions still running `canceled` (orchestrators stop their runs); `canceled` says
     * how many. Safe to retry: a repeat cancels nothing more.
     */
    cancel: (id: string, body: { reason?: string } = {}, o: CallOptions = {}) =>
      this.call<BatchDetail & { canceled: number }>(
        'batches.cancel',
        { id },
        { body, idempotent: true, ...o },
      ),
  };

  readonly outcomes = {
    /** Stores the agent's outcome definition (a new version). */
    define: (agentId: string, definition: Json, o: CallOptions = {}) =>
      this.call<OutcomeDefinition>('outcomes.define', { id: agentId }, { body: definition, ...o }),
    definition: (agentId: string, query: { version?: number } = {}, o: CallOptions = {}) =>
      this.call<OutcomeDefinition>(
        'outcomes.definition',
        { id: agentId },
        { query: q(query), ...o },
      ),
    definitionVersions: (agentId: string, o: CallOptions = {}) =>
      this.call<{ data: OutcomeDefinition[] }>('outcomes.definitionVersions', { id: agentId }, o),
    list: (query: OutcomeListQuery = {}, o: CallOptions = {}) =>
      this.call<Page<Outcome>>('outcomes.list', {}, { query: q(query), ...o }),
    listAll: (query: Omit<OutcomeListQuery, 'after_id'> = {}, o: CallOptions = {}) =>
      paginate((after_id) => this.outcomes.list({ limit: 100, ...query, after_id }, o)),
    regrade: (body: Json, o: CallOptions = {}) =>
      this.call<Json>('outcomes.regrade', {}, { body, ...o }),
  };

  readonly dreams = {
    create: (body: CreateDreamRequest, o: CallOptions = {}) =>
      this.call<Dream>('dreams.create', {}, { body, ...o }),
    get: (id: string, o: CallOptions = {}) => this.call<Dream>('dreams.get', { id }, o),
    list: (query: DreamListQuery = {}, o: CallOptions = {}) =>
      this.call<Page<Dream>>('dreams.list', {}, { query: q(query), ...o }),
    listAll: (query: Omit<DreamListQuery, 'after_id'> = {}, o: CallOptions = {}) =>
      paginate((after_id) => this.dreams.list({ limit: 100, ...query, after_id }, o)),
    cancel: (id: string, o: CallOptions = {}) =>
      this.call<Dream>('dreams.cancel', { id }, { idempotent: true, ...o }),
    archive: (id: string, o: CallOptions = {}) =>
      this.call<Dream>('dreams.archive', { id }, { idempotent: true, ...o }),
    /** The report as JSON (a 409 ReverieApiError until the dream has ended). */
    report: (id: string, o: CallOptions = {}) =>
      this.call<DreamReportResponse>('dreams.report', { id }, o),
    /** The report as the Markdown document people read. */
    reportMarkdown: (id: string, o: CallOptions = {}) =>
      this.call<string>(
        'dreams.report',
        { id },
        { query: { format: 'markdown' }, accept: 'text', ...o },
      ),
    /**
     * Polls a dream until it ends (completed, failed or canceled) and returns it; `onProgress`
     * sees each poll's dream, for a progress line.
     */
    waitFor: (id: string, options: WaitOptions<Dream> = {}) =>
      this.poll(
        () => this.dreams.get(id, options),
        (d) => DREAM_FINAL_STATUSES.includes(d.status),
        options,
      ),
  };

  /** The kill switch, for the tenant or one agent. */
  readonly dreaming = {
    setPause: (
      body: { paused: boolean; agent_id?: string; reason?: string },
      o: CallOptions = {},
    ) => this.call<DreamingControl>('dreaming.setPause', {}, { body, ...o }),
    pause: (query: { agent_id?: string } = {}, o: CallOptions = {}) =>
      this.call<DreamingControl>('dreaming.pause', {}, { query: q(query), ...o }),
    /** An agent's dreaming now: paused, schedule with its next slot, budget spent today. */
    agent: (agentId: string, o: CallOptions = {}) =>
      this.call<AgentDreaming>('dreaming.agent', { id: agentId }, o),
  };

  readonly playbooks = {
    /** The active version with its entries (version 0, `status: "empty"`, when there is none). */
    active: (agentId: string, query: RoleQuery = {}, o: CallOptions = {}) =>
      this.call<PlaybookVersion>('playbooks.active', { agentId }, { query: q(query), ...o }),
    versions: (
      agentId: string,
      query: RoleQuery & { status?: string; limit?: number; before_version?: number } = {},
      o: CallOptions = {},
    ) =>
      this.call<{ data: PlaybookVersion[]; has_more: boolean; last_version: number | null }>(
        'playbooks.versions',
        { agentId },
        { query: q(query), ...o },
      ),
    version: (agentId: string, version: number, query: RoleQuery = {}, o: CallOptions = {}) =>
      this.call<PlaybookVersion>(
        'playbooks.version',
        { agentId, version },
        { query: q(query), ...o },
      ),
    approve: (agentId: string, version: number, query: RoleQuery = {}, o: CallOptions = {}) =>
      this.call<PlaybookVersion>(
        'playbooks.approve',
        { agentId, version },
        { query: q(query), ...o },
      ),
    reject: (
      agentId: string,
      version: number,
      body: { reason: string },
      query: RoleQuery = {},
      o: CallOptions = {},
    ) =>
      this.call<PlaybookVersion>(
        'playbooks.reject',
        { agentId, version },
        { body, query: q(query), ...o },
      ),
    diff: (
      agentId: string,
      query: RoleQuery & { from?: number; to?: number } = {},
      o: CallOptions = {},
    ) => this.call<PlaybookDiff>('playbooks.diff', { agentId }, { query: q(query), ...o }),
    render: (
      agentId: string,
      query: RoleQuery & { format?: 'markdown' | 'rules' } = {},
      o: CallOptions = {},
    ) => this.call<PlaybookRender>('playbooks.render', { agentId }, { query: q(query), ...o }),
    addEntry: (agentId: string, entry: Json, query: RoleQuery = {}, o: CallOptions = {}) =>
      this.call<PlaybookVersion>(
        'playbooks.addEntry',
        { agentId },
        { body: entry, query: q(query), ...o },
      ),
    updateEntry: (
      agentId: string,
      entryId: string,
      patch: Json,
      query: RoleQuery = {},
      o: CallOptions = {},
    ) =>
      this.call<PlaybookVersion>(
        'playbooks.updateEntry',
        { agentId, entryId },
        { body: patch, query: q(query), ...o },
      ),
    retireEntry: (
      agentId: string,
      entryId: string,
      body: { reason?: string; message?: string } = {},
      query: RoleQuery = {},
      o: CallOptions = {},
    ) =>
      this.call<PlaybookVersion>(
        'playbooks.retireEntry',
        { agentId, entryId },
        { body, query: q(query), ...o },
      ),
    rollback: (
      agentId: string,
      body: { version: number; message?: string },
      query: RoleQuery = {},
      o: CallOptions = {},
    ) =>
      this.call<PlaybookVersion>(
        'playbooks.rollback',
        { agentId },
        { body, query: q(query), ...o },
      ),
    publish: (agentId: string, query: RoleQuery = {}, o: CallOptions = {}) =>
      this.call<PlaybookVersion>(
        'playbooks.publish',
        { agentId },
        { query: q(query), idempotent: true, ...o },
      ),
  };

  /** Canary trials of an agent's playbook versions (started by dreams, decided by outcomes). */
  readonly trials = {
    list: (
      agentId: string,
      query: { status?: PlaybookTrial['status']; limit?: number; before?: string } = {},
      o: CallOptions = {},
    ) =>
      this.call<{ data: PlaybookTrial[]; has_more: boolean; last_started_at: string | null }>(
        'trials.list',
        { agentId },
        { query: q(query), ...o },
      ),
    get: (agentId: string, trialId: string, o: CallOptions = {}) =>
      this.call<PlaybookTrial>('trials.get', { agentId, trialId }, o),
  };

  readonly webhooks = {
    /** The answer carries the signing `secret`, once. */
    create: (body: CreateWebhookRequest, o: CallOptions = {}) =>
      this.call<Webhook>('webhooks.create', {}, { body, ...o }),
    list: (o: CallOptions = {}) => this.call<{ data: Webhook[] }>('webhooks.list', {}, o),
    get: (id: string, o: CallOptions = {}) => this.call<Webhook>('webhooks.get', { id }, o),
    delete: (id: string, o: CallOptions = {}) =>
      this.call<{ type: 'webhook_deleted'; id: string }>('webhooks.delete', { id }, o),
    deliveries: (
      id: string,
      query: { status?: string; limit?: number } = {},
      o: CallOptions = {},
    ) =>
      this.call<{ data: WebhookDelivery[]; has_more: boolean }>(
        'webhooks.deliveries',
        { id },
        { query: q(query), ...o },
      ),
  };

  /** The tenant's API keys (an admin key's calls). */
  readonly apiKeys = {
    /** The answer carries the key itself (`key`), once. */
    create: (body: { name: string; scopes?: string[] }, o: CallOptions = {}) =>
      this.call<ApiKey>('apiKeys.create', {}, { body, ...o }),
    list: (o: CallOptions = {}) => this.call<{ data: ApiKey[] }>('apiKeys.list', {}, o),
    get: (id: string, o: CallOptions = {}) => this.call<ApiKey>('apiKeys.get', { id }, o),
    revoke: (id: string, o: CallOptions = {}) =>
      this.call<ApiKey>('apiKeys.revoke', { id }, { idempotent: true, ...o }),
  };

  readonly health = {
    live: (o: CallOptions = {}) => this.call<Health>('health.live', {}, o),
    ready: (o: CallOptions = {}) => this.call<Health>('health.ready', {}, o),
  };

  /** Every item of an async iterable (`listAll`, `allEvents`) as an array, at most `max`. */
  collect<T>(items: AsyncIterable<T>, max?: number): Promise<T[]> {
    return collect(items, max);
  }

  private async *eventsFrom(
    id: string,
    afterSeq: number,
    o: CallOptions,
  ): AsyncGenerator<SessionEvent> {
    let after = afterSeq;
    for (;;) {
      const page = await this.sessions.events(id, { after_seq: after, limit: 1000 }, o);
      yield* page.data;
      if (!page.has_more || page.last_seq === null) return;
      after = page.last_seq;
    }
  }

  private async poll<T>(
    get: () => Promise<T>,
    done: (t: T) => boolean,
    options: WaitOptions<T>,
  ): Promise<T> {
    const interval = options.intervalMs ?? 1_000;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const current = await get();
      options.onProgress?.(current);
      if (done(current)) return current;
      if (Date.now() + interval > deadline) {
        throw new Error(`still not finished after ${options.timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, interval));
      if (options.signal?.aborted) throw options.signal.reason;
    }
  }
}

export interface WaitOptions<T> extends CallOptions {
  /** Between polls (default 1,000 ms). */
  intervalMs?: number;
  /** Give up after this long (default: never). */
  timeoutMs?: number;
  onProgress?: (current: T) => void;
}

/** A query object without its undefined members (so they are not sent). */
function q(query: object): Query {
  return query as Query;
}
