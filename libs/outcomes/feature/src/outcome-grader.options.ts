import type { AnthropicSettings } from '@reverie/service-kit';

/** What the grading feature needs from the service's validated config. */
export interface OutcomeGraderOptions {
  /** Sessions one replica grades at once. */
  gradeConcurrency: number;
  /** The model that judges `judge` criteria that name none. */
  judgeModel: string;
  /** Holds `ci-breakages/` (the labels of triage sessions). */
  datasetsDir: string;
  /** Connection settings of the judge's anthropic provider (absent: such criteria fail clearly). */
  anthropic?: AnthropicSettings;
}

export const OUTCOME_GRADER_OPTIONS = Symbol('OUTCOME_GRADER_OPTIONS');
