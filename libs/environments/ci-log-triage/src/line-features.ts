import { normaliseLog } from './log-format';
import type { TriageInput } from './triage-case';

/**
 * Generic signs that a line reports an error, written without looking at any labelled log: the
 * severity words build tools print in capitals, exception class names, `error:` as compilers
 * print it, and Python's traceback header. Regular-expression sources, case-sensitive.
 */
export const DEFAULT_MARKERS: readonly string[] = [
  '\\bERROR\\b',
  '\\bFAILURE\\b',
  '\\bFAILED\\b',
  '\\bFATAL\\b',
  'Exception\\b',
  '\\b[Ee]rror:',
  '^Traceback \\(most recent call last\\)',
];

// A Java / Kotlin stack frame (`at a.b.C.m(C.java:12)`, also Maven's coloured `at a.b.C.m (..)`),
// its `... 12 more` tail, or a Python frame (`File "x.py", line 3`).
const STACK_FRAME = /^\s*(?:at\s+[\w$.<>/-]+\s*\(|\.\.\. \d+ more\b|File ".*", line \d+)/;

/** What a rule (or anyone) can observe about one line of fail.log. */
export interface LineFeatures {
  /** 1-based. */
  lineNumber: number;
  /** Lines after this one; 0 for the last line. */
  fromEnd: number;
  /** 0 for the first line, 1 for the last. */
  relativePosition: number;
  /** The line as the build printed it: no ANSI colours, no CI columns (see `normaliseLog`). */
  text: string;
  /** Leading spaces and tabs. */
  indent: number;
  isBlank: boolean;
  /** Matches one of the heuristic's error markers. */
  isMarker: boolean;
  isStackFrame: boolean;
  /** The same line (normalised, ignoring surrounding spaces) is in pass.log. */
  inPassLog: boolean;
  /** Lines since the nearest marker line at or before this one; 0 on a marker; Infinity if none. */
  distanceAfterMarker: number;
  /** Lines until the nearest marker line at or after this one; 0 on a marker; Infinity if none. */
  distanceBeforeMarker: number;
  /**
   * Lines to the nearest marker line that pass.log does not have (a heuristic candidate), before
   * or after; 0 on one; Infinity if none. The context window of this build's own errors: Maven's
   * boilerplate around a new error is in pass.log too, but near the new error it belongs to it.
   */
  distanceToFreshMarker: number;
}

export function compileMarkers(markers: readonly string[]): RegExp[] {
  return markers.map((m) => new RegExp(m));
}

/** Features of every line of fail.log, index `i` for line `i + 1`. */
export function computeLineFeatures(
  input: TriageInput,
  markers: readonly RegExp[] = compileMarkers(DEFAULT_MARKERS),
): LineFeatures[] {
  const passSet = new Set(normaliseLog(input.passLines).lines.map((l) => l.trim()));
  const fail = normaliseLog(input.failLines).lines;
  const total = fail.length;
  const features = fail.map((text, i): LineFeatures => {
    return {
      lineNumber: i + 1,
      fromEnd: total - i - 1,
      relativePosition: total > 1 ? i / (total - 1) : 0,
      text,
      indent: text.search(/[^ \t]|$/),
      isBlank: text.trim() === '',
      isMarker: markers.some((m) => m.test(text)),
      isStackFrame: STACK_FRAME.test(text),
      inPassLog: passSet.has(text.trim()),
      distanceAfterMarker: Infinity,
      distanceBeforeMarker: Infinity,
      distanceToFreshMarker: Infinity,
    };
  });
  let last = -Infinity;
  for (let i = 0; i < total; i++) {
    if (features[i].isMarker) last = i;
    features[i].distanceAfterMarker = i - last;
  }
  let next = Infinity;
  for (let i = total - 1; i >= 0; i--) {
    if (features[i].isMarker) next = i;
    features[i].distanceBeforeMarker = next - i;
  }
  let fresh = -Infinity;
  for (let i = 0; i < total; i++) {
    if (features[i].isMarker && !features[i].inPassLog) fresh = i;
    features[i].distanceToFreshMarker = i - fresh;
  }
  fresh = Infinity;
  for (let i = total - 1; i >= 0; i--) {
    if (features[i].isMarker && !features[i].inPassLog) fresh = i;
    features[i].distanceToFreshMarker = Math.min(features[i].distanceToFreshMarker, fresh - i);
  }
  return features;
}
