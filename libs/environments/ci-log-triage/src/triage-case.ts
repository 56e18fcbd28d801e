import type { LineRange } from './line-range';

export const LOG_FORMATS = ['DEFAULT', 'RAW_GITHUB', 'FULL_GITHUB', 'JENKINS', 'GITLAB'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What an agent may look at: the failing build's log and the last passing one. */
export interface TriageInput {
  failLines: readonly string[];
  passLines: readonly string[];
}

/** One labelled breakage. `errorRanges` are what answers are graded against. */
export interface TriageCase extends TriageInput {
  id: string;
  format: LogFormat;
  /** `E` lines: the error message itself. */
  errorRanges: LineRange[];
  /** `C` lines: context that helps to understand the error right before it. Not graded. */
  contextRanges: LineRange[];
}
