/**
 * The API's resources as the gateway presents them (its presenters in libs/* /http and
 * libs/sessions/feature). Nested documents whose shape belongs to a domain (a dream report, a
 * rubric's criteria, playbook entries) are typed loosely here: read them as the API reference says.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document of a domain's shape
export type Json = any;

/** A cursor-paged list: pass `last_id` as `after_id` for the next page while `has_more`. */
export interface Page<T> {
  data: T[];
  has_more: boolean;
  last_id: string | null;
}

export interface PageQuery {
  /** 1 to 100 (default 20). */
  limit?: number;
  after_id?: string;
}

export interface Caller {
  type: 'caller';
  tenant: string | null;
  key_id: string | null;
  scopes: string[];
}

export interface ModelSettings {
  provider: 'builtin' | 'anthropic';
  model?: string;
  maxTokens?: number;
  [key: string]: unknown;
}

export interface Agent {
  id: string;
  type: 'agent';
  name: string;
  description: string | null;
  roles: { name: string; description?: string; model?: ModelSettings }[];
  model: ModelSettings;
  dreaming: Json;
  createdAt: string;
  updatedAt: string;
}

export interface CreateAgentRequest {
  name: string;
  description?: string;
  roles?: { name: string; description?: string; model?: ModelSettings }[];
  model?: ModelSettings;
  dreaming?: Json;
}

export type SessionStatus = 'running' | 'completed' | 'failed' | 'canceled' | string;

export interface Session {
  id: string;
  type: 'session';
  agentId: string;
  status: SessionStatus;
  source: string;
  title: string | null;
  metadata: Record<string, unknown>;
  eventCount: number;
  iteration: number;
  playbook: Json;
  rolePlaybooks: Json;
  batchId: string | null;
  run: Json;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
  /** In the answer to create: the playbooks the session runs with, to read before it starts. */
  playbooks?: ServedPlaybook[];
  [key: string]: unknown;
}

/** A playbook a new session runs with, as `POST /v1/sessions` answers it (one per role of a team). */
export interface ServedPlaybook {
  role: string | null;
  playbookId: string;
  version: number;
  /** Markdown to put in a model's prompt. */
  text: string;
  /** The structured rules of its active entries, for a deterministic agent. */
  rules: Json[];
}

export interface CreateSessionRequest {
  agentId: string;
  title?: string;
  metadata?: Record<string, unknown>;
  /** A managed session: the orchestrator runs it (`{environment, task, model?, team?}`). */
  run?: {
    environment: string;
    task: Json;
    model?: ModelSettings;
    team?: Record<string, ModelSettings>;
  };
  [key: string]: unknown;
}

export interface SessionListQuery extends PageQuery {
  agentId?: string;
  status?: string;
  batchId?: string;
  /** Sessions started at or after this ISO 8601 date-time. */
  from?: string;
  /** Sessions started before this ISO 8601 date-time. */
  to?: string;
}

export type EventType =
  'message' | 'tool_call' | 'tool_result' | 'observation' | 'action' | 'error';

/** An event as a client sends it. */
export interface EventInput {
  clientEventId: string;
  type: EventType | string;
  actor?: string;
  step?: number;
  occurredAt?: string;
  [key: string]: unknown;
}

/** A stored event: what was sent, with its id and gap-free `seq`. */
export interface SessionEvent extends EventInput {
  id: string;
  seq: number;
  receivedAt: string;
  storedAt: string;
}

export interface EventsPage {
  data: SessionEvent[];
  has_more: boolean;
  last_seq: number | null;
}

export interface AppendEventsResult {
  sessionId: string;
  accepted: number;
  /** Each event's id, by the client id it was sent with. */
  events: { clientEventId: string; id: string }[];
}

export interface EndSessionRequest {
  status: 'completed' | 'failed' | 'canceled';
  reason?: string;
}

export interface FeedbackInput {
  rating: 'positive' | 'negative';
  comment?: string;
  eventId?: string;
}

export interface Feedback {
  id: string;
  type: 'feedback';
  sessionId: string;
  rating: 'positive' | 'negative';
  comment: string | null;
  eventId: string | null;
  createdAt: string;
}

/** What every session of a batch runs: the environment, and models that override the agent's. */
export interface BatchRun {
  environment: string;
  model?: ModelSettings;
  team?: Record<string, ModelSettings>;
}

export interface Batch {
  id: string;
  type: 'batch';
  agentId: string;
  title: string | null;
  run: BatchRun;
  total: number;
  counts: Record<string, number>;
  done: boolean;
  createdAt: string;
}

export interface BatchDetail extends Batch {
  sessions: {
    id: string;
    status: string;
    title: string | null;
    task: Json;
    eventCount: number;
    endReason: string | null;
  }[];
  has_more: boolean;
  last_id: string | null;
}

export interface CreateBatchRequest {
  agentId: string;
  title?: string;
  run: BatchRun;
  tasks: Json[];
}

export interface OutcomeDefinition {
  type: 'outcome_definition';
  agentId: string;
  version: number;
  definition: Json;
  createdAt: string;
  author: string;
}

export type OutcomeResult = 'satisfied' | 'needs_revision' | 'max_iterations_reached' | 'failed';

export interface Outcome {
  type: 'outcome';
  outcomeId: string;
  agentId: string;
  sessionId: string;
  iteration: number;
  definitionVersion: number;
  maxIterations: number;
  result: OutcomeResult;
  score: number;
  criteria: Json[];
  failedCriteria: Json[];
  summary: string;
  judgeUsage: Json;
  signals: Json;
  regrade: Json;
  gradedAt: string;
  history?: {
    outcomeId: string;
    iteration: number;
    result: OutcomeResult;
    score: number;
    gradedAt: string;
  }[];
}

export interface OutcomeListQuery extends PageQuery {
  agentId?: string;
  result?: OutcomeResult;
}

export type DreamStatus = 'pending' | 'running' | 'completed' | 'failed' | 'canceled' | string;

export interface Dream {
  type: 'dream';
  id: string;
  agent_id: string;
  status: DreamStatus;
  inputs: Json[];
  outputs: {
    type: 'playbook';
    role: string | null;
    version: number;
    status: string;
    /** The canary trial the proposed version went on (it decides, not a person). */
    trial_id?: string;
  }[];
  model: { provider: string; model?: string; max_tokens?: number };
  instructions: string | null;
  publish: string;
  trigger: string;
  stage: string | null;
  progress: { stage: string; completed: number; total: number; message: string | null } | null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
  simulations: number;
  environment: string | null;
  sessions_reviewed: number;
  error: { type: string; message: string } | null;
  attempts: number;
  cancel_requested_at: string | null;
  created_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  archived_at: string | null;
  [key: string]: unknown;
}

export interface CreateDreamRequest {
  agent_id: string;
  /** Review these sessions (one input); without it, the sessions ended since the agent's last dream. */
  inputs?: [{ type: 'sessions'; session_ids: string[] }];
  /** Bounds the sessions since the last dream (only without `inputs`). */
  max_sessions?: number;
  instructions?: string;
  model?: { provider: 'builtin' | 'anthropic'; model?: string; max_tokens?: number };
  [key: string]: unknown;
}

export interface DreamListQuery extends PageQuery {
  agent_id?: string;
  status?: string;
}

export interface DreamReportResponse {
  type: 'dream_report';
  dream_id: string;
  report: Json;
}

export interface DreamingControl {
  type: 'dreaming_control';
  scope: 'agent' | 'tenant';
  agent_id: string | null;
  paused: boolean;
  reason: string | null;
  updated_at: string | null;
  canceled_dreams?: string[];
}

/** GET /v1/agents/:id/dreaming: an agent's dreaming as the scheduler sees it now. */
export interface AgentDreaming {
  type: 'agent_dreaming';
  agent_id: string;
  enabled: boolean;
  paused: boolean;
  /** Which kill switch holds: the agent's or the tenant's. */
  paused_by: 'agent' | 'tenant' | null;
  pause_reason: string | null;
  publish: string;
  schedule: {
    frequency: 'hourly' | 'daily' | 'weekly' | 'cron';
    cron: string | null;
    timezone: string;
    window: { start: string; end: string } | null;
    last_slot: string | null;
    next_slot: string | null;
    /** The last slot still waits for its dream. */
    due: boolean;
    not_due_reason: 'disabled' | 'not_due' | 'outside_window' | null;
    error: string | null;
  };
  last_scheduled_dream_at: string | null;
  budget: {
    tokens_per_day: number | null;
    tokens_per_dream: number | null;
    day_started_at: string | null;
    tokens_spent_today: number;
    tokens_left_today: number | null;
  };
  as_of: string;
}

export interface PlaybookVersion {
  type: 'playbook_version';
  playbookId: string;
  agentId: string;
  role: string | null;
  version: number;
  parentVersion: number | null;
  status: string;
  author: Json;
  message: string | null;
  createdAt: string | null;
  publishedAt: string | null;
  review: Json;
  diff: Json;
  entries?: Json[];
  /**
   * On a whole version (not in listings): what the dreams that wrote its rules learned from and
   * chose on, one record an input ({environment, input, train, validation}, tasks as {id, digest}).
   */
  learnedFrom?: Json[];
  hint?: string;
  [key: string]: unknown;
}

/** Which playbook: the agent's own, or a team role's. */
export interface RoleQuery {
  role?: string;
}

export interface PlaybookRender {
  type: 'playbook_render';
  playbookId: string;
  agentId: string;
  role: string | null;
  version: number;
  format: 'markdown' | 'rules';
  content: Json;
}

export interface PlaybookDiff {
  type: 'playbook_diff';
  added: Json[];
  removed: Json[];
  changed: Json[];
  [key: string]: unknown;
}

export interface Webhook {
  type: 'webhook';
  id: string;
  url: string;
  event_types: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  /** Only in the answer to create. */
  secret?: string;
  created_at: string | null;
}

export interface CreateWebhookRequest {
  url: string;
  event_types: string[];
  description?: string;
}

export interface WebhookDelivery {
  type: 'webhook_delivery';
  id: string;
  webhook_id: string;
  event_type: string;
  status: string;
  payload: Json;
  attempt_count: number;
  attempts: {
    at: string | null;
    status_code: number | null;
    duration_ms: number;
    error_type: string | null;
    error: string | null;
  }[];
  next_attempt_at: string | null;
  created_at: string | null;
  updated_at: string | null;
}

export interface ApiKey {
  type: 'api_key';
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  /** The key itself: only in the answer to create. */
  key?: string;
  created_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Health {
  status: string;
  details?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A canary trial of a dream's candidate playbook version(s) (GET /v1/agents/:id/trials). */
export interface PlaybookTrial {
  id: string;
  type: 'playbook_trial';
  agent_id: string;
  dream_id: string;
  status: 'running' | 'promoted' | 'rolled_back' | 'awaiting_review' | 'stopped';
  publish: 'apply' | 'propose';
  share: number;
  rule: {
    name: string;
    alpha: number;
    beta: number;
    theta1: number;
    max_discordant: number;
    max_pairs: number;
  };
  playbooks: {
    role: string | null;
    playbook_id: string;
    candidate_version: number;
    control_version: number;
  }[];
  arms: Record<
    'candidate' | 'control',
    { sessions: number; graded: number; succeeded: number; success_rate: number | null }
  >;
  decision: {
    decision: 'promote' | 'rollback' | 'continue' | 'stop';
    reason: string;
    pairs: number;
    discordant: number;
    candidate_wins: number;
    llr: number;
    decided_at: string;
  } | null;
  started_at: string;
  ended_at: string | null;
}
