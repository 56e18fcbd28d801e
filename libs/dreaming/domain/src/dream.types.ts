import type { SplitScore } from './objective';

export const DREAM_STATUSES = ['pending', 'running', 'completed', 'failed', 'canceled'] as const;
export type DreamStatus = (typeof DREAM_STATUSES)[number];

/** The pipeline's stages, in the order a dream runs them. */
export const DREAM_STAGES = [
  'collect',
  'localise',
  'reflect',
  'curate',
  'validate',
  'publish',
  'report',
] as const;
export type DreamStage = (typeof DREAM_STAGES)[number];

/** Model tokens a dream (or one stage of it) spent, in the Anthropic API's terms. */
export interface DreamUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export const ZERO_USAGE: DreamUsage = Object.freeze({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
});

const count = (n: number | null | undefined) =>
  typeof n === 'number' && Number.isFinite(n) ? n : 0;

/** `a + b`, field by field; fields `b` leaves out (or a model response sends as null) count as 0. */
export function addUsage(a: DreamUsage, b: Partial<DreamUsage>): DreamUsage {
  return {
    input_tokens: count(a.input_tokens) + count(b.input_tokens),
    output_tokens: count(a.output_tokens) + count(b.output_tokens),
    cache_read_input_tokens: count(a.cache_read_input_tokens) + count(b.cache_read_input_tokens),
    cache_creation_input_tokens:
      count(a.cache_creation_input_tokens) + count(b.cache_creation_input_tokens),
  };
}

/** All four counts together. */
export const totalTokens = (u: DreamUsage) =>
  u.input_tokens + u.output_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;

export const TERMINAL_DREAM_STATUSES: readonly DreamStatus[] = ['completed', 'failed', 'canceled'];

/** Whether a dream in this status has ended and will not change again. */
export const isTerminal = (s: DreamStatus): boolean => TERMINAL_DREAM_STATUSES.includes(s);

/** One failed session, localised. */
export interface FailureLocalisation {
  sessionId: string;
  /** Task key, e.g. a scenario id or a CI case id. */
  task: string;
  /** How it failed, e.g. 'hazard', 'out_of_fuel', 'finds-the-error failed'. */
  failure: string;
  /** Decision step where it went wrong; null when it could not be localised. */
  step: number | null;
  /** Role responsible; null for a single agent. */
  role: string | null;
  method: 'counterfactual' | 'divergence' | 'criteria' | 'error' | 'feedback';
  /** 0..1 */
  confidence: number;
  /** One line in words. */
  detail: string;
  /** Simulations spent on this session. */
  simulations: number;
}

/** Failures that recur: the same failure, role and step range in several sessions. */
export interface FailurePattern {
  key: string;
  description: string;
  count: number;
  sessionIds: string[];
  roles: string[];
  steps: number[];
}

/** One change the dream proposes or applies. */
export interface ChangeRecord {
  kind: 'add' | 'update' | 'merge' | 'retire' | 'record_outcome';
  role: string | null;
  entryId: string | null;
  title: string;
  /** Why, in words. */
  reason: string;
  evidence: { sessionId: string; step?: number; note?: string }[];
  /** The structured rule when there is one (a playbook rule's `when` and `then`). */
  rule?: unknown;
}

/**
 * The validation split's comparison of the playbook before and after the dream's changes, graded
 * against the agent's outcome definition (see objective.ts). Only this split chooses between
 * alternatives and gates promotion; the test split is reported apart (DreamReport.test).
 */
export interface ValidationMetrics {
  /** The split every number here comes from: always the validation split. */
  split: 'validation';
  /** Validation tasks (scenarios, cases) compared. */
  heldOut: number;
  /** What `before` and `after` measure, e.g. 'safe landings' or 'mean F1'. */
  metric: string;
  before: number;
  after: number;
  extra?: Record<string, number | null>;
  /** Each criterion of the outcome definition: its mean score before and after (null: not gradable). */
  criteria?: { id: string; before: number | null; after: number | null }[];
  /** Validation tasks that got worse / better (satisfied before and not after, and the reverse). */
  regressions: string[];
  improvements: string[];
  promote: boolean;
  reason: string;
}

export interface StageRecord {
  stage: DreamStage;
  startedAt: string;
  endedAt: string;
  summary: string;
  simulations: number;
  usage: DreamUsage;
}

export interface PublishedPlaybook {
  role: string | null;
  version: number;
  status: 'active' | 'proposed';
  /** The canary trial a proposed version went on (a person does not review it: the trial decides). */
  trialId?: string;
}

/** The objective a dream optimised: the agent's outcome definition, or the environment's default. */
export interface DreamObjective {
  source: 'agent' | 'default';
  /** The agent's definition version (null for the default). */
  version: number | null;
  description: string;
  criteria: { id: string; required: boolean }[];
  /** Criteria a sandbox cannot grade (judges): they count neither way in dream decisions. */
  notGradable: string[];
}

/**
 * The test split, read once a dream's decisions are made: the current rules (before the dream)
 * and the promoted ones (null when nothing was promoted). No dream decision reads it.
 */
export interface TestReport {
  split: 'test';
  before: SplitScore;
  after: SplitScore | null;
}

export interface DreamReport {
  dreamId: string;
  agentId: string;
  environment: string;
  status: DreamStatus;
  sessionsReviewed: number;
  failedSessions: number;
  patterns: FailurePattern[];
  localisations: FailureLocalisation[];
  changes: ChangeRecord[];
  validation: ValidationMetrics | null;
  /** What the dream optimised (absent in reports of dreams before objectives). */
  objective?: DreamObjective | null;
  /** The test split before and after (absent when the environment has no test tasks). */
  test?: TestReport | null;
  publication: { mode: 'apply' | 'propose'; playbooks: PublishedPlaybook[] } | null;
  stages: StageRecord[];
  usage: DreamUsage;
  simulations: number;
  /** Free remarks, e.g. 'nothing promoted: ...'. */
  notes: string[];
  createdAt: string;
  endedAt: string | null;
}
