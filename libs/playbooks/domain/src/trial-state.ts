import {
  DEFAULT_SPRT,
  sprtDecision,
  type SprtOptions,
  type TrialArm,
  type TrialDecision,
} from './trial';

/**
 * A canary trial's life: `running` while both arms collect graded sessions; then `promoted` (the
 * candidate became the active version), `rolled_back` (the control stayed), `awaiting_review`
 * (the test favoured the candidate but the agent publishes `propose`: a person approves or rejects
 * the proposal), or `stopped` (the kill switch, a newer trial, or the active version changed under
 * it; the control stays and the candidate stays a proposal).
 */
export const TRIAL_STATUSES = [
  'running',
  'promoted',
  'rolled_back',
  'awaiting_review',
  'stopped',
] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];
export type TrialEndStatus = Exclude<TrialStatus, 'running'>;

/** How a dream's candidate version takes effect once the trial favours it. */
export type TrialPublishMode = 'apply' | 'propose';

/** One graded session of a trial, in the order the grader's verdicts arrived. */
export interface GradedTrialSession {
  sessionId: string;
  arm: TrialArm;
  succeeded: boolean;
}

/** Share of new sessions a candidate serves when nothing else is configured. */
export const DEFAULT_TRIAL_SHARE = 0.5;

/**
 * Whether a grader's verdict counts as a trial outcome, and as which: `satisfied` succeeded,
 * `failed` and `max_iterations_reached` did not, and `needs_revision` is not final (a managed
 * session goes round again) so it is not counted.
 */
export function trialOutcomeOf(result: string): boolean | null {
  if (result === 'satisfied') return true;
  if (result === 'failed' || result === 'max_iterations_reached') return false;
  return null;
}

export interface TrialConclusion {
  /** `running` while the test says continue. */
  status: TrialStatus;
  decision: TrialDecision;
}

/**
 * The stated rule applied to a trial's graded sessions: the SPRT (`sprtDecision`) on the two
 * arms' outcomes in arrival order, and what its answer means for the trial given how the agent
 * publishes. Pure: the same graded sessions always conclude the same way.
 */
export function concludeTrial(
  graded: readonly GradedTrialSession[],
  publish: TrialPublishMode,
  options: SprtOptions = DEFAULT_SPRT,
): TrialConclusion {
  const candidate = graded.filter((g) => g.arm === 'candidate').map((g) => g.succeeded);
  const control = graded.filter((g) => g.arm === 'control').map((g) => g.succeeded);
  const decision = sprtDecision(candidate, control, options);
  if (decision.decision === 'continue') return { status: 'running', decision };
  if (decision.decision === 'rollback') return { status: 'rolled_back', decision };
  if (publish === 'apply') return { status: 'promoted', decision };
  return {
    status: 'awaiting_review',
    decision: {
      ...decision,
      reason: `${decision.reason}; the agent publishes "propose", so the version waits for a person's approval`,
    },
  };
}

/** Checks SPRT options and a share read from configuration; returns the problem, or null. */
export function trialSettingsProblem(share: number, options: SprtOptions): string | null {
  if (!(share > 0 && share < 1)) return `the trial share must be between 0 and 1 (got ${share})`;
  if (!(options.alpha > 0 && options.alpha < 0.5))
    return `alpha must be between 0 and 0.5 (got ${options.alpha})`;
  if (!(options.beta > 0 && options.beta < 0.5))
    return `beta must be between 0 and 0.5 (got ${options.beta})`;
  if (!(options.theta1 > 0.5 && options.theta1 < 1))
    return `theta1 must be between 0.5 and 1 (got ${options.theta1})`;
  if (!(Number.isInteger(options.maxDiscordant) && options.maxDiscordant >= 1))
    return `maxDiscordant must be a positive integer (got ${options.maxDiscordant})`;
  if (
    options.maxPairs !== undefined &&
    !(Number.isInteger(options.maxPairs) && options.maxPairs >= options.maxDiscordant)
  )
    return `maxPairs must be an integer at least maxDiscordant (${options.maxDiscordant}) (got ${options.maxPairs})`;
  return null;
}
