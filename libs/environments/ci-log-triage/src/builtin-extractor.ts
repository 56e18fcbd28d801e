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
}

export const DEFAULT_HEURISTIC: HeuristicOptions = {
  markers: DEFAULT_MARKERS,
  ignoreLinesInPassLog: true,
  mergeGap: 1,
  maxLines: 200,
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
 * section, `REPORT_SECTIONS`), minus those pass.log also has, merged into ranges and capped; then
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
  const ranges = linesToRanges(
    kept.map((f) => f.lineNumber),
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
      ranges,
    },
  };
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
