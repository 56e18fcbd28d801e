import { applyLineRule, compileRule, type LineRule, type RuleEffect } from './apply-rule';
import { linesToRanges, type LineRange } from './line-range';
import {
  compileMarkers,
  computeLineFeatures,
  DEFAULT_MARKERS,
  type LineFeatures,
} from './line-features';
import type { TriageInput } from './triage-case';
import { parseRules, type TriageRule } from './triage-rule.schema';
import { TriageError } from './errors';

/** The day-one heuristic's knobs. */
export interface HeuristicOptions {
  /** Regular-expression sources; a line matching any is a candidate. */
  markers: readonly string[];
  /** Drop candidates whose line also appears in pass.log (it did not cause this failure). */
  ignoreLinesInPassLog: boolean;
  /** Candidates at most this many lines apart join one range (the lines between are included). */
  mergeGap: number;
  /** Keep at most this many candidate lines, the last ones: a failed build ends with its error. */
  maxLines: number;
  /**
   * When no marker line is fresh, or the fresh ones only report a status (`isStatusLine`), answer
   * the failed step's last output too: up to this many
   * non-blank lines before the first status line (`Exited with code 6`, `Process completed with
   * exit code 1`) that pass.log has no line of the same shape of (`failedStepTail`). 0: off.
   */
  stepTailLines: number;
}

export const DEFAULT_HEURISTIC: HeuristicOptions = {
  markers: DEFAULT_MARKERS,
  ignoreLinesInPassLog: true,
  mergeGap: 1,
  maxLines: 200,
  stepTailLines: 12,
};

/** What one step of the builtin agent did, so a bad answer can be traced to the step. */
export type TriageStep =
  | {
      kind: 'heuristic';
      /** Lines with an error marker. */
      candidates: number;
      /** Of those, dropped because pass.log has the same line. */
      droppedInPassLog: number;
      /** Of those, dropped by the `maxLines` cap. */
      droppedByCap: number;
      /**
       * No marker line was fresh, or only status lines were: lines taken from the failed step's
       * tail (`failedStepTail`).
       */
      stepTail: number;
      ranges: LineRange[];
    }
  | ({ kind: 'rule' } & RuleEffect)
  | { kind: 'submit'; answer: LineRange[] };

export interface Extraction {
  answer: LineRange[];
  steps: TriageStep[];
}

/** Anything that answers a triage input, optionally following structured rules. */
export type Extractor = (input: TriageInput, rules: readonly TriageRule[]) => Extraction;

/**
 * The day-one extractor: lines of fail.log with a generic error marker (or in a tool's report
 * section, `REPORT_SECTIONS`), minus those pass.log also has, merged into ranges and capped (with,
 * when none is left but status lines, the failed step's last new lines: `failedStepTail`); then
 * the playbook's structured rules in order. It never sees labels. Rules are validated first, so
 * an invalid one fails with a clear error.
 */
export function extractBuiltin(
  input: TriageInput,
  rules: readonly TriageRule[] = [],
  options: Partial<HeuristicOptions> = {},
): Extraction {
  return extractWithLineRules(input, parseRules(rules).map(compileRule), options);
}

/**
 * The same extractor with rules whose conditions are already functions (see `LineRule`): how a
 * caller runs rules written in another shape, such as a playbook's condition trees.
 */
export function extractWithLineRules(
  input: TriageInput,
  rules: readonly LineRule[],
  options: Partial<HeuristicOptions> = {},
): Extraction {
  const opts = { ...DEFAULT_HEURISTIC, ...options };
  const features = computeLineFeatures(input, compileOrThrow(opts.markers));
  const { selected, step } = heuristicSelection(features, opts);
  const steps: TriageStep[] = [step];
  for (const rule of rules)
    steps.push({ kind: 'rule', ...applyLineRule(rule, features, selected) });
  return { answer: linesToRanges(selected), steps };
}

/**
 * The heuristic step on already computed features (markers are part of them): the selected line
 * numbers and the step as a session records it. Exposed so a reflector that scores many rule
 * sets on the same logs computes features and the heuristic once per log.
 */
export function heuristicSelection(
  features: readonly LineFeatures[],
  options: Partial<HeuristicOptions> = {},
): { selected: Set<number>; step: Extract<TriageStep, { kind: 'heuristic' }> } {
  const opts = { ...DEFAULT_HEURISTIC, ...options };
  const markerLines = features.filter((f) => f.isMarker);
  const fresh = opts.ignoreLinesInPassLog ? markerLines.filter((f) => !f.inPassLog) : markerLines;
  const kept = fresh.slice(Math.max(0, fresh.length - opts.maxLines));
  // Status lines alone (`ERROR: script returned exit code 1`) do not say why: the step's tail does.
  const tail = kept.every((f) => f.isStatusLine)
    ? failedStepTail(features, opts.stepTailLines)
    : [];
  const ranges = linesToRanges(
    [...new Set([...kept.map((f) => f.lineNumber), ...tail])].sort((a, b) => a - b),
    opts.mergeGap,
  );
  const selected = new Set<number>();
  for (const r of ranges) for (let n = r.start; n <= r.end; n++) selected.add(n);
  return {
    selected,
    step: {
      kind: 'heuristic',
      candidates: markerLines.length,
      droppedInPassLog: markerLines.length - fresh.length,
      droppedByCap: fresh.length - kept.length,
      stepTail: tail.length,
      ranges,
    },
  };
}

/**
 * The last output of the step that failed, for a log where no marker line but a status line is
 * new: a tool that says why it stopped in plain words (Bundler's `Could not find compatible
 * versions`, a script's own message) and then exits. Walking back from each status line in turn (`isStatusLine`, the
 * first that has any), it takes up to `max` non-blank lines, over blank ones, until a line whose
 * shape pass.log has (the step's usual output, its command) or another status line. Line
 * numbers, ascending; none when no status line has such lines before it.
 */
export function failedStepTail(features: readonly LineFeatures[], max: number): number[] {
  if (max <= 0) return [];
  for (const end of features) {
    if (!end.isStatusLine) continue;
    const taken: number[] = [];
    for (let i = end.lineNumber - 2; i >= 0 && taken.length < max; i--) {
      const f = features[i];
      if (f.isBlank) continue;
      if (f.shapeInPassLog || f.isStatusLine) break;
      taken.push(f.lineNumber);
    }
    if (taken.length) return taken.reverse();
  }
  return [];
}

/** The builtin extractor with default heuristic options, as an `Extractor`. */
export const builtinExtractor: Extractor = (input, rules) => extractBuiltin(input, rules);

function compileOrThrow(markers: readonly string[]): RegExp[] {
  try {
    return compileMarkers(markers);
  } catch (e) {
    throw new TriageError(
      `a heuristic marker is not a valid regular expression: ${(e as Error).message}`,
    );
  }
}
