import { normaliseLog } from './log-format';
import type { TriageInput } from './triage-case';

/**
 * Generic signs that a line reports an error, written from the tools' output shapes: the
 * severity words build tools print in capitals, exception and error class names, `error:` as
 * compilers print it (with a code: rustc's `error[E0308]:`, tsc's `error TS2304:`), Python's
 * traceback header and pytest's `E   ` detail lines, Go's and Rust's panics, npm's `ERR!`, the
 * cross marks test runners print for a failed test, make's `***`, git's `fatal:`, a shell's
 * `command not found` and `script: line 3:` errors, apt's `E:`, Kotlin's `e:`, sbt's `[error]`, a
 * line that begins with `error`, curl's `curl: (28)`, PHPUnit's `Failed asserting that`, a test
 * runner's numbered failure entry, the GNU `file:line:` diagnostic, a lint report's `error`
 * column, a matcher's `Expected:` / `Actual:` detail, the Dart test reporter's `[E]`, XCTest's
 * failed test case and a structured log's error level. Regular-expression sources,
 * case-sensitive. The bundled logs are all Maven builds; the markers for other tools were added
 * without labelled logs of those tools, except git's, the shell's, apt's, Kotlin's, sbt's,
 * curl's, PHPUnit's, the numbered entry, the line-initial `error`, and (29 Nov) the matcher's,
 * Dart's, XCTest's and the structured log's, added after hand-written labelled logs showed them
 * missing (docs/learning.md; line-features.spec.ts has every shape).
 */
export const DEFAULT_MARKERS: readonly string[] = [
  '\\bERROR\\b',
  '\\bFAILURE\\b',
  '\\bFAILED\\b',
  '\\bFAIL\\b',
  '\\bFATAL\\b',
  'Exception\\b',
  '[a-z](?:Error|Exception)\\b',
  '\\b[Ee]rror(?:\\[[\\w-]+\\]| [A-Z]+\\d+)?:',
  '^Traceback \\(most recent call last\\)',
  '^E {2,}\\S',
  '\\bpanic(?:ked)?\\b',
  '\\bERR!',
  '[✕✗✖]',
  '^make(?:\\[\\d+\\])?: \\*\\*\\*',
  // git's (and other porcelain tools') `fatal: ...`, and a shell that could not run a command
  // (`./deploy.sh: line 12: kubectl: command not found`).
  '^fatal: ',
  ': command not found\\s*$',
  // A shell script's own error, `<script>: line <n>: <message>` (bash: a missing file, a
  // syntax error, an unbound variable), and apt's `E: <message>`.
  '^[\\w./-]+: line \\d+: (?!warning:)\\S',
  '^E: \\S',
  // The Kotlin compiler's `e: file:///x.kt:42:37 message` (its warnings are `w:`).
  '^e: \\S',
  // A line that begins with the word `error` (yarn's `error Command failed`, Vite's `error during
  // build:`), curl's `curl: (28) ...` and PHPUnit's assertion message.
  '^error\\s',
  // sbt's (and Mill's) lower-case level column, `[error] Foo.scala:12:5: type mismatch;`.
  '^\\[error\\] ',
  '^curl: \\(\\d+\\) ',
  '^Failed asserting that ',
  // A test runner's numbered failure entry (PHPUnit's `1) Class::testX`, RSpec's, Mocha's and
  // ExUnit's `  1) test ...`), slightly indented at most.
  '^ {0,4}\\d{1,3}\\) \\S',
  // The GNU diagnostic `file.ext:line[:col]: message` at the start of a line (Go's compiler and
  // vet, gcc and clang, flake8, pylint, mypy without `error:`), not a warning or note (nor
  // Python's `x.py:3: DeprecationWarning: ...`), and not a traceback's location (pytest's
  // `x.py:94: in fetch`, or `x.py:94: ` with no message); indented, it is a test's own message
  // under a marker (`    x_test.go:12: want 0, got 1`).
  '^[\\w./\\\\-]+\\.\\w+:\\d+(?::\\d+)?: (?!(?:warning|note|info|hint)\\b|\\w*Warning\\b|in [\\w<>.]+\\s*$)\\S',
  // A lint report's severity column (ESLint's and stylelint's `  3:20  error  message  rule`).
  '^\\s*\\d+:\\d+\\s+error\\s',
  // A test's assertion detail, as matchers print it: `Expected: <18.0>` / `  Actual: <18.1>`
  // (Dart, Hamcrest, NUnit's `But was:`), Jest's `Received:`, googletest's `Expected equality
  // of these values:`.
  '^\\s*(?:Expected|Actual|Received|But was)(?: [\\w ]{1,40})?:',
  // A failed test in the Dart and Flutter test reporter (`00:03 +4 -1: cart adds item [E]`), and
  // an upper-case EXCEPTION heading (Flutter's `══╡ EXCEPTION CAUGHT BY ... ╞══`).
  '\\s\\[E\\]\\s*$',
  '\\bEXCEPTION\\b',
  // XCTest's `Test Case '-[AppTests testX]' failed (0.019 seconds).`, and a runner's heading over
  // the failed tests' names (xcodebuild's `Failing tests:`, `Failed tests:`).
  "^Test Case '.+' failed\\b",
  '^\\s*(?:Failing|Failed) tests?:\\s*$',
  // A structured log's severity (JSON: `"level":"fatal"`, `"severity":"ERROR"`; logfmt:
  // `level=error`), as a service started by the build prints it.
  '"(?:level|severity)": ?"(?:fatal|error|critical|FATAL|ERROR|CRITICAL)"',
  '\\blevel=(?:error|fatal|critical)\\b',
];

/**
 * Lines that only report that a build, a job or a process failed, with its status or exit code,
 * and not why: Maven's, Gradle's and Ant's `BUILD FAILURE` / `BUILD FAILED`, Gradle's `FAILURE:
 * Build failed with an exception.`, Jenkins' `Finished: FAILURE`, and the exit-status lines CI
 * systems and shells print (`Process completed with exit code 1`, `script returned exit code 1`,
 * `Job failed: exit code 1`, `exited with code '1'`, `exited with 1`). Written from those tools'
 * output shapes; a line that names what failed (a test, a goal, a command's output, a whole
 * script step quoted: `QUOTED_STEP`) is not one.
 */
export const STATUS_LINES: readonly RegExp[] = [
  /\bBUILD (?:FAILURE|FAILED)\b/,
  /^FAILURE: Build failed with an exception\.?\s*$/,
  /^Finished: (?:FAILURE|UNSTABLE|ABORTED|NOT_BUILT)\s*$/,
  /\bexit (?:code|status):? '?-?\d+'?\.?\s*$/,
  /\bexited with (?:(?:exit )?(?:code|status) )?'?-?\d+'?\.?\s*$/,
  // xcodebuild's `** BUILD FAILED **` / `** TEST FAILED **`; rustc's and cargo's `error: could
  // not compile `x` (lib) due to 2 previous errors`, which only counts the errors above it.
  /^\*\* [A-Z]+(?: [A-Z]+)* FAILED \*\*\s*$/,
  /\bdue to \d+ previous errors?\b/,
  // Jenkins' `Stage "Deploy" skipped due to earlier failure(s)`, TeamCity's `Build step Upload
  // (Command Line) is skipped because the previous step has failed`: what did not run after it.
  /\bskipped due to earlier failure/,
  /\bis skipped because the previous step has failed\b/,
  // TeamCity's `Process exited with code 2 (Step: Detekt (Command Line))` and `Step Detekt
  // (Command Line) failed`; turbo's and pnpm's `command (...) exited (1)`.
  /^Process exited with code -?\d+\b/,
  /^Step .+ failed\s*$/,
  /\bexited \(-?\d+\)\s*$/,
  // Google Cloud Build's `ERROR: build step 0 "gcr.io/cloud-builders/npm" failed: step exited with
  // non-zero status: 1`, AWS CodeBuild's `Phase complete: BUILD State: FAILED`, Bamboo's `Failing
  // task since return code of [mvn test] was 1 while expected 0`.
  /\bexited with non-zero status:? -?\d+\s*$/,
  /\bPhase complete: \w+ State: FAILED\b/,
  /^Failing task since return code of .* was -?\d+ while expected -?\d+/,
];

// A quoted script rather than a command's name (Docker's `ERROR: process "/bin/sh -c apt-get
// update && apt-get install ..." did not complete successfully: exit code: 100`): the line says
// which step failed, where `The command "mvn test" exited with 1.` only reports the job's end.
const QUOTED_STEP = /"[^"]{40,}"|'[^']{40,}'/;

/** Whether a line only reports that something failed (`STATUS_LINES`, not a `QUOTED_STEP`). */
function isStatusText(text: string): boolean {
  return STATUS_LINES.some((re) => re.test(text)) && !QUOTED_STEP.test(text);
}

/**
 * Headings under which a tool tells what went wrong, up to the next blank line or heading: Gradle's
 * `* What went wrong:` (then `Execution failed for task ':x'.`, `A problem occurred evaluating
 * project ':x'.`, `Could not resolve all files for configuration ...`, and the `> cause` chain
 * under it). The lines of the section count as markers; the heading itself does not (it is in
 * every failed Gradle build, and says nothing of this one). Written from Gradle's output shape.
 */
export const REPORT_SECTIONS: readonly RegExp[] = [/^\* What went wrong:\s*$/];
// What ends a report section besides a blank line: Gradle's next `* Try:` / `* Exception is:`
// heading.
const SECTION_END = /^\* [A-Z][\w ]*:\s*$/;

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
  /**
   * Matches one of the heuristic's error markers, or says what went wrong in a section a tool
   * heads for it (`REPORT_SECTIONS`: Gradle's `* What went wrong:`), where the error is told in
   * prose with no marker word (`Execution failed for task ':app:test'.`, `> There were failing
   * tests.`).
   */
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
  /**
   * The line continues the message above it: a stack frame, a `Caused by:` / `Caused:` /
   * `Also:` / `Suppressed:` link of a Java or Jenkins trace, or a line indented past its tool's
   * tag (`[ERROR]   bad class file`, `  File "x.py", line 3`), a compiler's source excerpt
   * numbered in a gutter (rustc's `42 |     let x`), a compiler's `file:3:5: note:` on the
   * diagnostic above, or a bordered line inside a framed report (Terraform's `│ ` between `╷`
   * and `╵`).
   */
  isContinuation: boolean;
  /**
   * In an error block: a marker line and the continuation lines that follow it (a single blank
   * line inside a trace does not end it). Each marker that is not itself a continuation starts
   * a block of its own.
   */
  inErrorBlock: boolean;
  /** In an error block one of whose marker lines pass.log does not have. */
  inFreshBlock: boolean;
  /** Lines since the head of the error block this line is in; 0 on the head; Infinity outside. */
  blockOffset: number;
  /** Lines to the nearest line of a fresh error block, before or after; 0 inside one; Infinity if none. */
  distanceToFreshBlock: number;
  /** How many lines of fail.log have the same text (ignoring surrounding spaces); 1 if unique. */
  repeats: number;
  /**
   * pass.log has a line of the same shape: the same text once numbers, hexadecimal ids and
   * durations are masked (`Total time: 2.8 s` and `Total time: 3.1 s` are the same shape).
   */
  shapeInPassLog: boolean;
  /**
   * Lines in the error run this line is in; 0 outside one. A run is what a tool prints about one
   * failure in one go: consecutive marker and continuation lines (a tool's `[ERROR]` paragraph,
   * an exception with its frames), bridging up to `RUN_GAP` lines of a multi-line exception
   * message when a stack frame or `Caused by:` link follows them, and single blank lines inside an
   * indented report (Jest's and pytest's failure blocks); pytest's `>` line pointing at the
   * failing statement begins the run of the `E` lines after it. A run of one line is a lone
   * summary (`BUILD FAILURE`, `Finished: FAILURE`); the error itself is usually told at length.
   */
  runLength: number;
  /** In an error run one of whose marker lines pass.log does not have. */
  inFreshRun: boolean;
  /**
   * The line only reports that a build, job or process failed, by its status or exit code
   * (`STATUS_LINES`): `BUILD FAILURE`, `Finished: FAILURE`, `Process completed with exit code 1`.
   * The same kind of line whichever tool or CI system printed it.
   */
  isStatusLine: boolean;
  /**
   * In a stretch of new lines (consecutive non-blank lines the day-one diff takes: a shape
   * pass.log lacks, or in a fresh error run; one other line between two of them bridged) one of
   * whose lines, not a status line nor a line pass.log has, is a marker, says trouble in words
   * (`TROUBLE_WORDS`: Julia's `Test Failed at`, Prettier's `[warn]`, JaCoCo's `Rule violated`) or
   * points at a source location (detekt's `LongParameterList - 8/7 - at Invoice.kt:12:5`).
   * What this run printed about its own error, whether or not its tool tags every line of it;
   * the stretches without one are what the run printed that the passing run did not, and no
   * failure (a new preamble, a commit message, other downloads).
   */
  inMarkedNews: boolean;
}

// `Caused by: x`, Jenkins' `Caused: x` and `Also:   x`, `Suppressed: x`, `Wrapped by: x`.
const TRACE_LINK = /^\s*(?:Caused by|Caused|Also|Suppressed|Wrapped by):/;
// A tool's leading level tag (`[ERROR]`, `[WARNING]`, `##[error]`), without which indentation counts.
const LEVEL_TAG = /^(?:##)?\[[A-Za-z]+\] ?/;
// A tool's or CI system's own line (`[INFO] ...`, `##[warning]...`, Jenkins' `[Pipeline] }`), not
// a message that begins with a name in brackets (Vite's `[vite]: Rollup failed ...`).
const OWN_LINE_TAG = /^(?:##)?\[[A-Za-z]+\](?!:)/;
// A compiler's source excerpt under a diagnostic, numbered in a gutter: rustc's `42 |     let x`,
// which starts at the first column when the line number fills the gutter (gcc's `   42 |` is
// indented, so it continues anyway), also with the `> ` Babel's and tsc's code frames put on the
// line at fault (`> 18 |   const x = y.z;`).
const SOURCE_GUTTER = /^(?:> ?)?\d+ +\|/;
// A framed diagnostic: Terraform prints each error between a `╷` and a `╵` line, every line
// inside starting with `│` (`markFrames`).
const FRAME_OPEN = /^\s*╷\s*$/;
const FRAME_CLOSE = /^\s*╵\s*$/;
const FRAME_BORDER = /^\s*│/;
// A compiler's note on the diagnostic above it (gcc's and clang's `file:3:5: note: ...`).
const GNU_NOTE = /^[\w./\\-]+\.\w+:\d+(?::\d+)?: note: /;
// rustc's sub-diagnostics of the error above them, at the first column (`help: elide the
// lifetimes`, `note: required by a bound in ...`).
const COMPILER_SUB_NOTE = /^(?:help|note): \S/;
// Volatile tokens two runs of the same build print differently: ids that mix letters and digits
// (a commit's `9b4d0c6`, a pod's `ci-main-812-bv683-a679t`, a socket's `6TR4GIPlfXRGFq3uFXCO`; five
// characters at least, so `utf8` or `x86` stay) and numbers, durations and times.
const VOLATILE = /\b(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{5,}\b|\d+(?:[.,:]\d+)*/gi;

/**
 * The line's shape: volatile tokens masked, surrounding spaces dropped, a run of spaces read as
 * one (a table's columns move with its numbers' widths; see `shapeInPassLog`).
 */
export function lineShape(text: string): string {
  return text.trim().replace(VOLATILE, '#').replace(/\s+/g, ' ');
}

function continues(text: string, isStackFrame: boolean): boolean {
  if (isStackFrame || TRACE_LINK.test(text)) return true;
  if (text.trim() === '') return false;
  if (SOURCE_GUTTER.test(text) || GNU_NOTE.test(text) || COMPILER_SUB_NOTE.test(text)) return true;
  const body = text.replace(LEVEL_TAG, '');
  return body.length > 0 && /^\s/.test(body);
}

export function compileMarkers(markers: readonly string[]): RegExp[] {
  return markers.map((m) => new RegExp(m));
}

/** Features of every line of fail.log, index `i` for line `i + 1`. */
export function computeLineFeatures(
  input: TriageInput,
  markers: readonly RegExp[] = compileMarkers(DEFAULT_MARKERS),
): LineFeatures[] {
  const passLines = normaliseLog(input.passLines).lines;
  const passSet = new Set(passLines.map((l) => l.trim()));
  const passShapes = new Set(passLines.map(lineShape));
  const fail = normaliseLog(input.failLines).lines;
  const total = fail.length;
  const counts = new Map<string, number>();
  for (const l of fail) counts.set(l.trim(), (counts.get(l.trim()) ?? 0) + 1);
  const features = fail.map((text, i): LineFeatures => {
    const isStackFrame = STACK_FRAME.test(text);
    const inPassLog = passSet.has(text.trim());
    return {
      lineNumber: i + 1,
      fromEnd: total - i - 1,
      relativePosition: total > 1 ? i / (total - 1) : 0,
      text,
      indent: text.search(/[^ \t]|$/),
      isBlank: text.trim() === '',
      isMarker: markers.some((m) => m.test(text)),
      isStackFrame,
      inPassLog,
      distanceAfterMarker: Infinity,
      distanceBeforeMarker: Infinity,
      distanceToFreshMarker: Infinity,
      isContinuation: continues(text, isStackFrame),
      inErrorBlock: false,
      inFreshBlock: false,
      blockOffset: Infinity,
      distanceToFreshBlock: Infinity,
      repeats: counts.get(text.trim()) ?? 1,
      shapeInPassLog: inPassLog || passShapes.has(lineShape(text)),
      runLength: 0,
      inFreshRun: false,
      isStatusLine: isStatusText(text),
      inMarkedNews: false,
    };
  });
  markReportSections(features);
  markFrames(features);
  markBlocks(features);
  markRuns(features);
  markNews(features);
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

/**
 * Words that say something went wrong, looser than the markers: they choose no line, they only
 * keep a stretch of new lines from reading as noise (`inMarkedNews`).
 */
export const TROUBLE_WORDS =
  /\b(?:errors?|fail\w*|exception|panic\w*|fatal|warn\w*|violat\w*|denied|refused|invalid|cannot|can't|unable|not found|no such|missing|undefined|unresolved|timed? ?out|abort\w*|crash\w*|expected|assert\w*|mismatch\w*|conflict\w*|reject\w*|forbidden|unauthori[sz]ed|incompatible|exceed\w*|could not|couldn't|problems?|unsatisf\w*|not satisf\w*)\b/i;

/** A source location, `File.kt:12`, `src/app.ts:3:14`: what a linter or a test points at. */
const SOURCE_LOCATION = /[\w/-]\.[A-Za-z]\w{0,7}:\d+/;

/**
 * A line the day-one diff takes (status lines aside): not blank, and of a shape pass.log lacks or
 * in an error run with a marker pass.log lacks. The builtin extractor's `new-lines` selection and
 * the stretches of `inMarkedNews` are made of these.
 */
export function isNewLine(f: LineFeatures): boolean {
  return !f.isBlank && (!f.shapeInPassLog || f.inFreshRun);
}

/** Sets `inMarkedNews` on each stretch of new lines that says trouble. */
function markNews(features: LineFeatures[]): void {
  for (let i = 0; i < features.length; i++) {
    if (!isNewLine(features[i])) continue;
    let end = i;
    let marked = false;
    for (let j = i; j < features.length; j++) {
      const f = features[j];
      if (isNewLine(f)) {
        end = j;
        marked ||=
          (f.isMarker || TROUBLE_WORDS.test(f.text) || SOURCE_LOCATION.test(f.text)) &&
          !f.inPassLog &&
          !f.isStatusLine;
      } else if (!(j + 1 < features.length && isNewLine(features[j + 1]))) break;
    }
    if (marked) for (let j = i; j <= end; j++) features[j].inMarkedNews = !features[j].isBlank;
    i = end;
  }
}

/** Marks the bordered lines of each framed report (`╷` … `╵`) as continuations. */
function markFrames(features: LineFeatures[]): void {
  for (let i = 0; i < features.length; i++) {
    if (!FRAME_OPEN.test(features[i].text)) continue;
    let j = i + 1;
    for (; j < features.length && FRAME_BORDER.test(features[j].text); j++)
      features[j].isContinuation = true;
    if (j < features.length && FRAME_CLOSE.test(features[j].text)) i = j;
  }
}

/**
 * Where the section headed at index `heading` ends (exclusive): at the next blank line or the next
 * heading of the same report (`SECTION_END`).
 */
export function sectionEnd(
  features: readonly Pick<LineFeatures, 'isBlank' | 'text'>[],
  heading: number,
): number {
  let end = heading + 1;
  while (end < features.length && !features[end].isBlank && !SECTION_END.test(features[end].text))
    end++;
  return end;
}

/** Marks the lines of each `REPORT_SECTIONS` section (not its heading) as markers. */
function markReportSections(features: LineFeatures[]): void {
  for (let i = 0; i < features.length; i++) {
    if (!REPORT_SECTIONS.some((re) => re.test(features[i].text))) continue;
    const end = sectionEnd(features, i);
    for (let j = i + 1; j < end; j++) features[j].isMarker = true;
    i = end - 1;
  }
}

/** Lines of an exception message a run bridges between its marker and the frames that follow. */
export const RUN_GAP = 3;

// pytest's pointer at the failing statement (`>       assert total == 12`), printed just before
// the `E   ` lines that say what went wrong: the run begins there. Gradle's `> Task :x` and
// Jest's `  > 12 |` code frame do not have its shape (a `>` then at least two spaces).
const FAILING_STATEMENT = /^>\s{2,}\S/;
// gcc's and clang's context before a diagnostic: `In file included from x.cpp:1:` (and its
// `                 from y.h:3:` lines), `x.c: In function 'main':`, and a location alone on the
// line before a message (`next build`'s `./src/app/[slug]/page.tsx:18:37`, then
// `Type error: ...`). The run begins there.
const DIAGNOSTIC_CONTEXT =
  /^(?:In file included from |\s+from [^\s:]+:\d+[:,]|[^\s:]+: In (?:member )?function |[\w./\\[\]@-]+\.\w+:\d+(?::\d+)?\s*$)/;

/**
 * Lines a marker that ends with a colon announces (Rust's `thread 'x' panicked at src/a.rs:3:5:`,
 * Vite's `error during build:`, git's `... would be overwritten by merge:`): the run takes up to
 * this many lines after it, to the next blank line or tagged line (`[INFO]`, `[Pipeline]`),
 * wherever in the run the marker is.
 */
export const MESSAGE_LINES = 8;

/** Sets the error-run features (`runLength`, `inFreshRun`). */
function markRuns(features: LineFeatures[]): void {
  const total = features.length;
  const joins = (g: LineFeatures) => g.isMarker || (g.isContinuation && !g.isBlank);
  const frame = (g: LineFeatures) => g.isStackFrame || TRACE_LINK.test(g.text);
  let i = 0;
  while (i < total) {
    if (!features[i].isMarker) {
      i++;
      continue;
    }
    let end = i;
    // The last line the run's markers announce with a closing colon (`announced`), wherever
    // in the run they are.
    let reach = i + announced(features, i);
    const extendTo = (last: number) => {
      for (let k = end + 1; k <= last; k++) reach = Math.max(reach, k + announced(features, k));
      end = last;
    };
    for (;;) {
      if (end + 1 < total && joins(features[end + 1])) {
        extendTo(end + 1);
        continue;
      }
      if (reach > end) {
        extendTo(reach);
        continue;
      }
      // A blank line inside an indented report (Jest's and pytest's failure blocks) when the
      // report goes on indented after it.
      if (
        end + 2 < total &&
        features[end + 1].isBlank &&
        features[end + 2].isContinuation &&
        !features[end + 2].isBlank &&
        features[end + 2].indent > 0
      ) {
        extendTo(end + 2);
        continue;
      }
      let bridge = 0;
      for (let k = 2; k <= RUN_GAP + 1 && end + k < total; k++)
        if (frame(features[end + k])) {
          bridge = k;
          break;
        }
      if (!bridge) break;
      extendTo(end + bridge);
    }
    let start = i;
    if (start > 0 && features[start - 1].runLength === 0)
      if (FAILING_STATEMENT.test(features[start - 1].text)) start--;
    while (
      start > 0 &&
      features[start - 1].runLength === 0 &&
      DIAGNOSTIC_CONTEXT.test(features[start - 1].text)
    )
      start--;
    let fresh = false;
    for (let j = i; j <= end; j++) fresh ||= features[j].isMarker && !features[j].inPassLog;
    for (let j = start; j <= end; j++) {
      features[j].runLength = end - start + 1;
      features[j].inFreshRun = fresh;
    }
    i = end + 1;
  }
}

/** How many lines after `at` the marker there announces with its closing colon (0 if none). */
function announced(features: readonly LineFeatures[], at: number): number {
  const head = features[at];
  // A marker that heads its own message, not a line inside another's report (testify's indented
  // `Error:      Not equal:` under `--- FAIL`).
  if (!head.isMarker || head.isContinuation || !head.text.trimEnd().endsWith(':')) return 0;
  let n = 0;
  while (n < MESSAGE_LINES && at + n + 1 < features.length) {
    const g = features[at + n + 1];
    if (g.isBlank || OWN_LINE_TAG.test(g.text)) break;
    n++;
  }
  return n;
}

/** Sets the error-block features (`inErrorBlock`, `inFreshBlock`, `blockOffset`, `distanceToFreshBlock`). */
function markBlocks(features: LineFeatures[]): void {
  const total = features.length;
  let i = 0;
  while (i < total) {
    const head = features[i];
    if (!head.isMarker || head.isContinuation) {
      i++;
      continue;
    }
    let end = i;
    for (let j = i + 1; j < total; j++) {
      const g = features[j];
      const gap = g.isBlank && j + 1 < total && features[j + 1].isContinuation;
      if (!(g.isContinuation || gap)) break;
      end = j;
    }
    let fresh = false;
    for (let j = i; j <= end; j++) fresh ||= features[j].isMarker && !features[j].inPassLog;
    for (let j = i; j <= end; j++) {
      features[j].inErrorBlock = true;
      features[j].inFreshBlock = fresh;
      features[j].blockOffset = j - i;
    }
    i = end + 1;
  }
  let last = -Infinity;
  for (let k = 0; k < total; k++) {
    if (features[k].inFreshBlock) last = k;
    features[k].distanceToFreshBlock = k - last;
  }
  let next = Infinity;
  for (let k = total - 1; k >= 0; k--) {
    if (features[k].inFreshBlock) next = k;
    features[k].distanceToFreshBlock = Math.min(features[k].distanceToFreshBlock, next - k);
  }
}
