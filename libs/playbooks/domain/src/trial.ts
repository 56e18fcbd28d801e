import { createHash } from 'node:crypto';

/**
 * Canary trials of a playbook version on live sessions: a candidate version serves a share of new
 * sessions, and the grader's outcomes of both arms decide whether it is promoted or rolled back.
 */
export type TrialArm = 'candidate' | 'control';

/**
 * The arm a session runs in: a hash of the trial and session ids, so the same session always gets
 * the same arm (a retried `POST /v1/sessions` or a replica cannot move it) and about `share` of
 * sessions get the candidate.
 */
export function trialArm(trialId: string, sessionId: string, share: number): TrialArm {
  const hex = createHash('sha256').update(`${trialId}:${sessionId}`).digest('hex').slice(0, 12);
  return parseInt(hex, 16) / 2 ** 48 < share ? 'candidate' : 'control';
}

export interface SprtOptions {
  /** Probability of promoting a candidate no better than the control (false promotion). */
  alpha: number;
  /** Probability of rolling back a candidate that is better by the effect below. */
  beta: number;
  /** Under the alternative, the share of discordant pairs the candidate wins (0.5 < theta1 < 1). */
  theta1: number;
  /** Discordant pairs at most; undecided then means no evidence of improvement: roll back. */
  maxDiscordant: number;
  /**
   * Graded pairs at most, discordant or not: two versions that succeed (or fail) on the same
   * sessions give no discordant pair and would never reach `maxDiscordant`. Undecided then means
   * no evidence the candidate is better: roll back. Optional for trials stored before it existed.
   */
  maxPairs?: number;
}

/** Graded pairs a trial compares at most when nothing else is configured. */
export const DEFAULT_TRIAL_MAX_PAIRS = 300;

/**
 * 5 % false promotions, 20 % missed improvements, a candidate that wins 70 % of discordant pairs;
 * at most 60 discordant pairs and 300 graded pairs.
 */
export const DEFAULT_SPRT: Required<SprtOptions> = {
  alpha: 0.05,
  beta: 0.2,
  theta1: 0.7,
  maxDiscordant: 60,
  maxPairs: DEFAULT_TRIAL_MAX_PAIRS,
};

export interface TrialDecision {
  decision: 'promote' | 'rollback' | 'continue';
  /** Pairs compared (one candidate and one control outcome each, in arrival order). */
  pairs: number;
  /** Pairs where one arm succeeded and the other did not, and how many the candidate won. */
  discordant: number;
  candidateWins: number;
  /** The log-likelihood ratio and the bounds it is compared with. */
  llr: number;
  upper: number;
  lower: number;
  reason: string;
}

/**
 * The stated rule: Wald's sequential probability ratio test on paired outcomes. The i-th graded
 * session of each arm form a pair; only pairs where exactly one succeeded (discordant) carry
 * information, and under "no difference" the candidate wins each with probability 0.5. The test
 * is H0 theta = 0.5 against H1 theta = theta1: promote when the log-likelihood ratio reaches
 * ln((1 - beta) / alpha), roll back when it falls to ln(beta / (1 - alpha)), else continue; at
 * `maxDiscordant` undecided discordant pairs, or `maxPairs` graded pairs (discordant or not), it
 * rolls back: no evidence the candidate is better. The false-promotion rate is at most about alpha
 * for a candidate as good as the control, and lower for a worse one.
 */
export function sprtDecision(
  candidate: readonly boolean[],
  control: readonly boolean[],
  options: SprtOptions = DEFAULT_SPRT,
): TrialDecision {
  const { alpha, beta, theta1, maxDiscordant } = options;
  const maxPairs = options.maxPairs ?? DEFAULT_TRIAL_MAX_PAIRS;
  const upper = Math.log((1 - beta) / alpha);
  const lower = Math.log(beta / (1 - alpha));
  const win = Math.log(theta1 / 0.5);
  const loss = Math.log((1 - theta1) / 0.5);
  // Pairs past `maxPairs` are not read: the test has ended there.
  const pairs = Math.min(candidate.length, control.length, maxPairs);
  let llr = 0;
  let discordant = 0;
  let candidateWins = 0;
  const result = (decision: TrialDecision['decision'], reason: string): TrialDecision => ({
    decision,
    pairs,
    discordant,
    candidateWins,
    llr,
    upper,
    lower,
    reason,
  });
  for (let i = 0; i < pairs; i++) {
    if (candidate[i] === control[i]) continue;
    discordant++;
    if (candidate[i]) candidateWins++;
    llr += candidate[i] ? win : loss;
    const tally = `the candidate won ${candidateWins} of ${discordant} discordant pair(s)`;
    if (llr >= upper)
      return result('promote', `${tally}: better than the current version (SPRT, alpha ${alpha})`);
    if (llr <= lower)
      return result(
        'rollback',
        `${tally}: not better than the current version (SPRT, beta ${beta})`,
      );
    if (discordant >= maxDiscordant)
      return result(
        'rollback',
        `${tally}: undecided after ${maxDiscordant} discordant pairs, kept the current version`,
      );
  }
  if (pairs >= maxPairs)
    return result(
      'rollback',
      `${candidateWins} of ${discordant} discordant pair(s) after ${maxPairs} graded pairs: undecided, no evidence the candidate is better than the current version, kept the current version`,
    );
  return result(
    'continue',
    `${candidateWins} of ${discordant} discordant pair(s) so far; waiting for more outcomes`,
  );
}
