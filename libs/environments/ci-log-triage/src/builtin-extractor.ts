import { applyLineRule, compileRule, type LineRule, type RuleEffect } from './apply-rule';
import { linesToRanges, type LineRange } from './line-range';
import {
  compileMarkers,
  computeLineFeatures,
  DEFAULT_MARKERS,
  isNewLine,
  lineShape,
  REPORT_SECTIONS,
  sectionEnd,
  TROUBLE_WORDS,
  type LineFeatures,
} from './line-features';
import type { TriageInput } from './triage-case';
import { parseRules, type TriageRule } from './triage-rule.schema';
import { TriageError } from './errors';

/**
 * What the day-one heuristic selects first. `new-lines`: every non-blank line of fail.log whose
 * shape pass.log lacks (`shapeInPassLog`), and the lines of an error run with a marker pass.log
 * lacks (`inFreshRun`: Maven's `[ERROR]` boilerplate around a new error), but status lines
 * (`isStatusLine`), progress counters (`progressLines`), Gradle's advice and report headings
 * (`adviceLines`, `REPORT_SECTIONS`), a runner's totals (`isTestTotals`), headings between rules
 * (`RULED`), the lines of checks that passed (`withoutPassedChecks`) and warnings printed beside
 * errors (`withoutWarningsBesideErrors`): what this run said that the passing run
 * did not; of those, only the stretches that say something went wrong (`inMarkedNews`: a fresh
 * marker, a word of trouble, a source location) when any does (a new commit message or preamble is
 * not why); with no passing run to diff against (an empty pass.log, or one sharing no line shape
 * with fail.log), or nothing new but status lines, it selects as `markers` does. `markers`: the
 * lines with an error marker that pass.log does not have (with `failedStepTail` when those are only
 * status lines).
 */
export type HeuristicSelect = 'new-lines' | 'markers';

/** The day-one heuristic's knobs. */
export interface HeuristicOptions {
  select: HeuristicSelect;
  /** Regular-expression sources; a line matching any is a candidate. */
  markers: readonly string[];
  /** Drop candidates whose line also appears in pass.log (it did not cause this failure). */
  ignoreLinesInPassLog: boolean;
  /** Candidates at most this many lines apart join one range (the lines between are included). */
  mergeGap: number;
  /**
   * Keep at most this many marker candidates, the last ones: a failed build ends with its error.
   * New lines are not capped (a changed test report can be thousands of lines, all of them said).
   */
  maxLines: number;
  /**
   * When no marker line is fresh, or the fresh ones only report a status (`isStatusLine`), answer
   * the failed step's last output too: up to this many non-blank lines before the first status
   * line (`Exited with code 6`, `Process completed with exit code 1`), or else before the log's
   * end, that pass.log has no line of the same shape of (`failedStepTail`). 0: off.
   */
  stepTailLines: number;
}

export const DEFAULT_HEURISTIC: HeuristicOptions = {
  select: 'new-lines',
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
      /** Lines selected as new (`select: 'new-lines'`); 0 when the markers selected. */
      newLines: number;
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
 * The day-one extractor: the lines of fail.log that pass.log has no line of the same shape of
 * (numbers and ids masked) and those of a new error run, but status lines; with no passing run to
 * diff against, the lines with a generic error marker (or in a tool's report section,
 * `REPORT_SECTIONS`) that pass.log does not have, merged into ranges and capped (with, when none
 * is left but status lines, the failed step's last new lines: `failedStepTail`). Then the
 * playbook's structured rules in order. It never sees labels. Rules are validated first, so an
 * invalid one fails with a clear error.
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
  const newLines = opts.select === 'new-lines' ? newLinesOf(features) : [];
  const { ranges, counts } = newLines.length
    ? {
        ranges: linesToRanges(newLines),
        counts: { newLines: newLines.length, droppedInPassLog: 0, droppedByCap: 0, stepTail: 0 },
      }
    : markerRanges(features, markerLines, opts);
  const selected = new Set<number>();
  for (const r of ranges) for (let n = r.start; n <= r.end; n++) selected.add(n);
  return {
    selected,
    step: { kind: 'heuristic', candidates: markerLines.length, ...counts, ranges },
  };
}

/**
 * The marker heuristic (`select: 'markers'`): the fresh marker lines, capped, with the failed
 * step's tail when they are only status lines, merged into ranges.
 */
function markerRanges(
  features: readonly LineFeatures[],
  markerLines: readonly LineFeatures[],
  opts: HeuristicOptions,
) {
  const fresh = opts.ignoreLinesInPassLog ? markerLines.filter((f) => !f.inPassLog) : markerLines;
  const kept = fresh.slice(Math.max(0, fresh.length - opts.maxLines));
  // Status lines alone (`ERROR: script returned exit code 1`) do not say why: the step's tail does.
  const tail = kept.every((f) => f.isStatusLine)
    ? failedStepTail(features, opts.stepTailLines)
    : [];
  return {
    ranges: linesToRanges([...kept.map((f) => f.lineNumber), ...tail], opts.mergeGap),
    counts: {
      newLines: 0,
      droppedInPassLog: markerLines.length - fresh.length,
      droppedByCap: fresh.length - kept.length,
      stepTail: tail.length,
    },
  };
}

/**
 * The non-blank lines whose shape pass.log lacks or that are in a fresh error run (`select:
 * 'new-lines'`), but those that never say why (`saysNothingNew`), the lines of checks that passed
 * and warnings beside errors; of those, the ones in a stretch that says trouble (`inMarkedNews`)
 * when there are any. None when pass.log shares no line shape with fail.log (no passing run, or
 * another job's): a diff against it says nothing.
 */
function newLinesOf(features: readonly LineFeatures[]): number[] {
  if (!features.some((f) => f.shapeInPassLog)) return [];
  const saysNothing = saysNothingNew(features);
  const candidates = features.filter((f) => isNewLine(f) && !saysNothing(f));
  const news = withoutWarningsBesideErrors(features, withoutPassedChecks(candidates));
  const marked = news.filter((f) => f.inMarkedNews);
  return (marked.length ? marked : news).map((f) => f.lineNumber);
}

/**
 * Lines a failed run prints that the passing run did not, but that never say why: status lines,
 * progress counters, Gradle's advice and report headings, a runner's totals and headings between
 * rules.
 */
function saysNothingNew(features: readonly LineFeatures[]): (f: LineFeatures) => boolean {
  const counting = progressLines(features);
  const advice = adviceLines(features);
  return (f) =>
    f.isStatusLine ||
    counting.has(f.lineNumber) ||
    advice.has(f.lineNumber) ||
    isTestTotals(f.text) ||
    RULED.test(f.text) ||
    REPORT_SECTIONS.some((re) => re.test(f.text));
}

// A heading under which a tool gives the same advice after every failure: Gradle's `* Try:` (`> Run
// with --stacktrace option ...`, `> Get more help at https://help.gradle.org.`).
const ADVICE_HEADING = /^\* Try:\s*$/;
// Gradle's closing pointer, a heading of its own in some versions (`* Get more help at https://...`).
const ADVICE_LINE = /^\* Get more help at\b/;

/** The lines of each advice section (`ADVICE_HEADING`), its heading included, to a blank line or the next heading. */
function adviceLines(features: readonly LineFeatures[]): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < features.length; i++) {
    if (ADVICE_LINE.test(features[i].text)) out.add(features[i].lineNumber);
    if (!ADVICE_HEADING.test(features[i].text)) continue;
    const end = sectionEnd(features, i);
    for (let j = i; j < end; j++) out.add(features[j].lineNumber);
    i = end - 1;
  }
  return out;
}

// A compiler's or linter's diagnostic at a source location with its level: javac's and gcc's
// `File.java:41: warning: ...`, `a.cc:3:5: error: ...`, ESLint's `  57:11  error  ...`.
const DIAGNOSTIC = /(?:\w\.\w{1,8}:\d+(?::\d+)?:|^\s*\d+:\d+)\s+(warning|error)\b/i;

/**
 * Drops the warnings (and the lines that continue them: the source excerpt, the caret) from the
 * new lines when the same tool also printed errors among them: a build that fails on errors does
 * not fail on the warnings printed beside them (Javadoc's `warning: no comment` between its
 * `error: unknown tag` lines). With no error diagnostic, warnings stay (a linter that fails on
 * warnings, Prettier's `[warn]`).
 */
function withoutWarningsBesideErrors(
  features: readonly LineFeatures[],
  news: LineFeatures[],
): LineFeatures[] {
  const level = (f: LineFeatures) => DIAGNOSTIC.exec(f.text)?.[1].toLowerCase();
  if (!news.some((f) => level(f) === 'error')) return news;
  const warnings = new Set<number>();
  for (let i = 0; i < features.length; i++) {
    if (level(features[i]) !== 'warning') continue;
    warnings.add(features[i].lineNumber);
    for (let j = i + 1; j < features.length && features[j].isContinuation; j++) {
      if (level(features[j])) break;
      warnings.add(features[j].lineNumber);
    }
  }
  return news.filter((f) => !warnings.has(f.lineNumber));
}

// A count of checks by outcome: `41 total`, `1 failed`, `Failures: 1`, `Tests run: 87`; of
// Gradle's tasks (`5 actionable tasks: 5 executed`).
const OUTCOME_COUNT =
  /\b\d+\s+(?:tests?|examples?|passed|passing|failed|failing|failures?|errors?|skipped|pending|ignored|total|assertions?|(?:actionable )?tasks?|executed|up-to-date)\b|\b(?:tests?(?: run)?|passed|failed|failures?|errors?|skipped|pending|ignored|total|assertions?):\s*\d+/gi;

// An assertion's comparison, which may hold counts too (`expected 3 tests, got 2 tests`).
const COMPARISON = /\b(?:expected|but (?:was|got|found)|got|actual|instead of)\b/i;

/**
 * A runner's totals: two or more counts of checks by outcome on one line (Jest's `Tests: 1 failed,
 * 40 passed, 41 total`, RSpec's `318 examples, 1 failure`, Surefire's `Tests run: 87, Failures: 1,
 * Errors: 0`, dotnet's `Failed!  - Failed: 1, Passed: 142`). They count the failures told above
 * them and never say which; none of the 838 such lines of the development and bundled logs is
 * labelled. A comparison is an assertion's message, not totals.
 */
function isTestTotals(text: string): boolean {
  return (text.match(OUTCOME_COUNT)?.length ?? 0) >= 2 && !COMPARISON.test(text);
}

// A heading between two rules of `=` or `_` (pytest's `==== FAILURES ====`, its `____ test_x ____`,
// unittest's): it titles what follows and says nothing itself. A bare rule is left alone: some
// tools frame an error with one (Docker's `------`, Python's traceback separators).
const RULED = /^\s*([=_])\1{3,} \S.*\S \1{4,}\s*$/;

// A check that passed: gtest's `[       OK ]`, go's `--- PASS:`, cargo's `... ok`, Jest's `✓`.
const PASSED = /\b(?:ok|pass(?:ed|es)?|succe(?:ss|eded|ssful(?:ly)?))\b|[✓✔]/i;
// A check that did not pass: TAP's `not ok`; the crosses runners mark one with (k6's `✗`,
// Playwright's `✘`, Cucumber's `✖`, Jest's `✕`, Vitest's `×`).
const NOT_OK = /\bnot ok\b|[✗✘✖✕×]/i;
// A name a runner gives a check: dotted, path-like, underscored or camelCase (`Ring.PushPop`,
// `tests/test_cart.py::test_total`, `TestParse`); plain words (`adds numbers`) are not names.
const CHECK_NAME =
  /[A-Za-z][\w$]*(?:(?:\.|::|\/|#)[\w$]+)+|\b[a-z]\w*_\w+|\b[A-Za-z][a-z]+[A-Z]\w*/g;
// A source file's name (`steps/cart.js`, `ring_test.cc`): passed and failed checks share the files
// they are written in, so a file names no check.
const SOURCE_FILE = /\.[a-z]{1,4}$/;

/** The names of checks a line holds (`CHECK_NAME`), source files aside. */
const checkNames = (text: string) =>
  (text.match(CHECK_NAME) ?? []).filter((n) => !SOURCE_FILE.test(n));

/**
 * The new lines but those of checks that passed: a line that says a check passed (and no word of
 * trouble), and a line without trouble that names such a check (gtest's `[ RUN      ] Ring.Push`
 * before its `[       OK ] Ring.Push`). A runner prints them only when something failed (Bazel
 * shows a test's output only then), so pass.log lacks them, but they are not why it failed.
 */
function withoutPassedChecks(news: LineFeatures[]): LineFeatures[] {
  const quiet = (f: LineFeatures) => !TROUBLE_WORDS.test(f.text) && !NOT_OK.test(f.text);
  const passed = news.filter((f) => quiet(f) && PASSED.test(f.text));
  if (!passed.length) return news;
  const names = new Set(passed.flatMap((f) => checkNames(f.text)));
  const dropped = new Set(passed.map((f) => f.lineNumber));
  const namesPassed = (f: LineFeatures) => checkNames(f.text).some((n) => names.has(n));
  return news.filter((f) => !dropped.has(f.lineNumber) && !(quiet(f) && namesPassed(f)));
}

// A count of done work: `61 of 168`, `12/40`, `45%`.
const PROGRESS_COUNT = /\b\d+ of \d+\b|\b\d+\/\d+\b|\d%/;
/** At least this many consecutive lines of one shape with a count make a progress counter. */
export const PROGRESS_RUN = 5;

/**
 * The lines of each progress counter but its last: `PROGRESS_RUN` or more consecutive lines of
 * one shape (numbers masked) that each hold a count of done work (Karma's `Executed 61 of 168 (1
 * FAILED)`, a download's `45%`). They differ from the passing run's by their numbers and say
 * nothing of the failure; the last says where it ended (and of a retry loop's `attempt 5/5
 * failed`, the last attempt stays). A list of failed cases differs by names, or holds no count.
 */
function progressLines(features: readonly LineFeatures[]): Set<number> {
  const out = new Set<number>();
  const shapes = features.map((f) => (PROGRESS_COUNT.test(f.text) ? lineShape(f.text) : null));
  let start = 0;
  for (let i = 1; i <= features.length; i++) {
    if (i < features.length && shapes[i] !== null && shapes[i] === shapes[start]) continue;
    if (shapes[start] !== null && i - start >= PROGRESS_RUN)
      for (let j = start; j < i - 1; j++) out.add(features[j].lineNumber);
    start = i;
  }
  return out;
}

/**
 * The last output of the step that failed, for a log where no marker line but a status line is
 * new: a tool that says why it stopped in plain words (Bundler's `Could not find compatible
 * versions`, a script's own message) and then exits. Walking back from each status line in turn
 * (`isStatusLine`, the first that has any), it takes up to `max` non-blank lines, over blank
 * ones, until a line whose shape pass.log has (the step's usual output, its command) or another
 * status line. With no status line that has such lines before it (a CI system that prints no
 * exit code), the same walk starts from the log's last line whose shape pass.log lacks: what the
 * log said last that the passing run did not. Line numbers, ascending; none when every line has
 * its shape in pass.log.
 */
export function failedStepTail(features: readonly LineFeatures[], max: number): number[] {
  if (max <= 0) return [];
  for (const end of features) {
    if (!end.isStatusLine) continue;
    const taken = newLinesBefore(features, end.lineNumber - 2, max);
    if (taken.length) return taken;
  }
  let last = features.length - 1;
  while (last >= 0 && (features[last].isBlank || endsQuietly(features[last]))) last--;
  return newLinesBefore(features, last, max);
}

// A line of the log's end that says nothing new: a status line, or one of the passing run's shapes
// (post-job cleanup, an uploaded artifact's name).
const endsQuietly = (f: LineFeatures) => f.isStatusLine || f.shapeInPassLog;

/** Up to `max` non-blank lines at and before index `from`, back to the first that `endsQuietly`. */
function newLinesBefore(features: readonly LineFeatures[], from: number, max: number): number[] {
  const taken: number[] = [];
  for (let i = from; i >= 0 && taken.length < max; i--) {
    const f = features[i];
    if (f.isBlank) continue;
    if (endsQuietly(f)) break;
    taken.push(f.lineNumber);
  }
  return taken.reverse();
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
