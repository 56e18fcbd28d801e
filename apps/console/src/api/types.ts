/** The API's shapes as the console reads them (fields it does not show are left out). */

export interface Page<T> {
  data: T[];
  has_more: boolean;
  last_id?: string | null;
}

export interface Caller {
  type: 'caller';
  tenant: string;
  key_id: string | null;
  scopes: string[];
}

export interface Agent {
  id: string;
  name: string;
  description: string | null;
  roles: { name: string; description?: string }[];
  model: Record<string, unknown> & { provider: string };
  dreaming: {
    enabled?: boolean;
    frequency?: string;
    cron?: string;
    timezone?: string;
    window?: { start: string; end: string };
    budget?: { tokensPerDream?: number; tokensPerDay?: number };
    publish?: 'apply' | 'propose';
    lastScheduleError?: { message: string; at: string };
  } & Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Session {
  id: string;
  agentId: string;
  status: string;
  source: string;
  title: string | null;
  eventCount: number;
  iteration: number;
  rolePlaybooks: Record<string, number> | null;
  run: { environment: string; task?: unknown } | null;
  batchId: string | null;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
}

/** A batch and one page of its sessions, in task order (the client's shapes). */
export type { Batch, BatchDetail } from '@reverie/client';

export interface SessionEvent {
  id: string;
  seq: number;
  type: string;
  actor?: string;
  step?: number;
  name?: string;
  to?: string;
  content?: unknown;
  data?: Record<string, unknown>;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
  clientEventId: string;
  occurredAt?: string;
  receivedAt: string;
  [field: string]: unknown;
}

export interface EventPage {
  data: SessionEvent[];
  has_more: boolean;
  last_seq: number | null;
}

export interface Feedback {
  id: string;
  rating: 'positive' | 'negative';
  comment: string | null;
  eventId: string | null;
  createdAt: string;
}

export interface CriterionResult {
  name?: string;
  id?: string;
  kind?: string;
  score: number;
  /** False when the session's events cannot show this criterion: its pass and score mean nothing. */
  gradable?: boolean;
  required?: boolean;
  passed?: boolean;
  explanation?: string;
  steps?: number[];
  [field: string]: unknown;
}

export interface Outcome {
  id?: string;
  sessionId: string;
  agentId: string;
  result: string;
  score: number;
  criteria: CriterionResult[];
  summary?: string;
  iteration?: number;
  /** The definition's attempts at most (the first and its revisions). */
  maxIterations?: number;
  history?: Outcome[];
  gradedAt?: string;
  createdAt?: string;
  playbookVersion?: number | null;
  [field: string]: unknown;
}

export interface Dream {
  id: string;
  agent_id: string;
  status: string;
  stage: string | null;
  progress: { stage: string; completed: number; total: number; message?: string } | null;
  outputs: { role: string | null; version: number; status: string }[];
  publish: string;
  trigger?: string;
  usage: Record<string, number>;
  simulations: number;
  sessions_reviewed: number;
  error: { type: string; message: string } | null;
  cancel_requested_at: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  archived_at: string | null;
}

export interface DreamReport {
  dreamId: string;
  agentId: string;
  environment: string;
  status: string;
  sessionsReviewed: number;
  failedSessions: number;
  patterns: {
    key: string;
    description: string;
    count: number;
    sessionIds: string[];
    roles: string[];
    steps: number[];
  }[];
  localisations: {
    sessionId: string;
    task: string;
    failure: string;
    step: number | null;
    role: string | null;
    method: string;
    confidence: number;
    detail: string;
  }[];
  changes: {
    kind: string;
    role: string | null;
    entryId: string | null;
    title: string;
    reason: string;
    evidence: { sessionId: string; step?: number; note?: string }[];
  }[];
  validation: {
    split?: 'validation';
    heldOut: number;
    metric: string;
    before: number;
    after: number;
    criteria?: { id: string; before: number | null; after: number | null }[];
    regressions: string[];
    improvements: string[];
    promote: boolean;
    reason: string;
  } | null;
  /** What the dream optimised (absent in reports of dreams before objectives). */
  objective?: {
    source: 'agent' | 'default';
    version: number | null;
    description: string;
    criteria: { id: string; required: boolean }[];
    notGradable: string[];
  } | null;
  /** The test split before and after: read once decisions are made, never to make them. */
  test?: { split: 'test'; before: SplitScore; after: SplitScore | null } | null;
  publication: {
    mode: string;
    playbooks: { role: string | null; version: number; status: string }[];
  } | null;
  notes: string[];
}

/** A group of tasks a dream graded against the objective (a split, or one family of it). */
export interface GroupScore {
  tasks: number;
  satisfied: number;
  satisfiedRate: number;
  meanScore: number;
}

/** One split's score: overall, per criterion (rates null when not gradable) and per family. */
export interface SplitScore extends GroupScore {
  split: string;
  criteria: {
    id: string;
    required: boolean;
    graded: number;
    passRate: number | null;
    meanScore: number | null;
  }[];
  families: (GroupScore & { family: string })[];
}

export interface PlaybookEntry {
  id: string;
  title: string;
  guidance?: string;
  kind?: string;
  status?: string;
  rule?: unknown;
  tags?: string[];
  [field: string]: unknown;
}

export interface PlaybookVersion {
  playbookId: string;
  agentId?: string;
  role?: string | null;
  version: number;
  status: string;
  parentVersion?: number | null;
  author?: { kind: string; id?: string } | null;
  message?: string | null;
  entries?: PlaybookEntry[];
  createdAt?: string;
  hint?: string;
  [field: string]: unknown;
}

export interface PlaybookVersionPage {
  data: PlaybookVersion[];
  has_more: boolean;
  last_version: number | null;
}

export interface Webhook {
  id: string;
  url: string;
  event_types: string[];
  enabled?: boolean;
  disabled_reason?: string | null;
  description?: string | null;
  created_at?: string;
  [field: string]: unknown;
}

export interface WebhookDelivery {
  id: string;
  event_type?: string;
  status?: string;
  attempts: {
    status_code?: number | null;
    duration_ms?: number;
    error?: string | null;
    at?: string;
    [f: string]: unknown;
  }[];
  created_at?: string;
  [field: string]: unknown;
}
