import { stripAnsi } from './log-lines';

/**
 * CI systems wrap every line a build prints in their own columns: GitHub Actions a timestamp (raw
 * logs) or `<job>\t<step>\t<timestamp> ` (the full log of `gh run view --log`), Jenkins a
 * timestamper column (`[2024-01-24T10:00:00.123Z] `, `10:00:00  `) and `[Pipeline]` step lines,
 * GitLab section markers and, with timestamps on, `<timestamp> 00O ` columns, Docker BuildKit's
 * plain progress (`docker build --progress=plain`, `docker/build-push-action`) a `#5 ` step and a
 * `0.512 ` elapsed-seconds column. Rules must see what the build printed, not the wrapper: a rule
 * about "build" must not match every line of a job whose name says build. Normalisation keeps one
 * line per line (labels count lines), and each prefix is removed only where the log as a whole has
 * it, so a line of the build's own output that happens to start with a time is left alone.
 *
 * Logs from systems no one wrote a case for are handled by shape, not by name: any date-time or
 * time-of-day column (bracketed or not, ISO, slashed or syslog dates), epoch timestamps, and a
 * label column with few distinct values (`web-1  | `, a monorepo runner's `pkg:task: `). Columns
 * stack (a label, then a timestamp), so detection runs again on what one pass leaves.
 */
export const LOG_PREFIX_KINDS = [
  'github-actions-full',
  'gitlab-timestamped',
  'github-actions-raw',
  'jenkins-timestamper-iso',
  'jenkins-timestamper-time',
  'buildkit-step',
  'date-time',
  'bracketed-time',
  'epoch-timestamp',
  'tabbed-date-time',
  'labelled-column',
  'bracketed-label',
] as const;
export type LogPrefixKind = (typeof LOG_PREFIX_KINDS)[number];

const ISO = '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?';
const TIME = '\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?';
// 2024-01-24, 2024/01/24, 24.01.2024, 01/24/2024, 24-Jan-2024 / 24 Jan 2024 (Bamboo, Java's
// default), or syslog's `Jan 24` / `Jan  4`.
const DATE =
  '(?:\\d{4}[-/.]\\d{1,2}[-/.]\\d{1,2}|\\d{1,2}[-/.]\\d{1,2}[-/.]\\d{4}|\\d{1,2}[- ][A-Z][a-z]{2}[- ]\\d{4}|[A-Z][a-z]{2} +\\d{1,2}(?:,? \\d{4})?)';
// A TeamCity block name after its `:\t ` column: `[Step 2/3] `, `[Publishing artifacts] `.
const TC_BLOCK = '\\[[^\\]\\t]{1,80}\\] ?';
const ZONE = '(?: ?(?:Z|UTC|GMT|[+-]\\d{2}:?\\d{2}|[AP]M))?';

/** Each kind's prefix. `LOG_PREFIX_KINDS` lists the most specific first: a line counts for the first that fits. */
const PREFIXES: Record<LogPrefixKind, RegExp> = {
  // `build (ubuntu-latest)\tRun mvn verify\t2024-01-24T10:00:00.1234567Z [ERROR] ...`
  'github-actions-full': new RegExp(`^[^\\t]*\\t[^\\t]*\\t${ISO} ?`),
  // `2024-01-24T10:00:00.1234567Z 00O+ ...`: GitLab's stream (2 hex digits, O/E) and `+` for a continued line.
  'gitlab-timestamped': new RegExp(`^${ISO} [0-9a-f]{2}[OE]\\+? ?`),
  'github-actions-raw': new RegExp(`^${ISO} ?`),
  'jenkins-timestamper-iso': new RegExp(`^\\[${ISO}\\] ?`),
  'jenkins-timestamper-time': /^\[?\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?\]?\s+/,
  // BuildKit's `#5 0.512 npm ERR! ...` (the build's output) and `#5 DONE 0.0s` (BuildKit's own):
  // the step, then the elapsed seconds if there are any. No other kind starts with `#`; a digit
  // and a space after it leave `# Title` and `#include <x.h>` alone.
  'buildkit-step': /^#\d+ (?:\d+\.\d+ )?/,
  // `[2024/01/24 10:00:00.123] `, `(24.01.2024 10:00:00) `, `Jan 24 10:00:00 `.
  // One space goes with it: indentation after it is the build's.
  'date-time': new RegExp(`^[[(]?${DATE}[T ,]+${TIME}${ZONE}[\\])]?(?: |\\t|$)`),
  // TeamCity's `[10:00:00]i:\t [Step 2/3] `: no space after the bracket, a status letter, a
  // block (a step, `[Publishing artifacts]`); a line printed in the same second as the one before
  // has no time (`:\t [Step 2/3] `).
  'bracketed-time': new RegExp(
    `^(?:\\[${TIME}${ZONE}\\](?:[A-Za-z ]?:(?:\\t ?${TC_BLOCK}|\\t? ?(?:\\[Step \\d+/\\d+\\] ?)?))?|[A-Za-z ]?:\\t ?(?:${TC_BLOCK})?)`,
  ),
  // `1706090400123 `, `[1706090400.123] `: seconds or milliseconds since 1970 (2001-2286).
  'epoch-timestamp': /^\[?[1-9]\d{9}(?:\d{3}|\.\d{1,9})?\]?(?: |\t|$)/,
  // A date-time in the second or third of tab-separated columns: Bamboo's `build\t24-Jan-2024
  // 10:00:00\t` (the line's kind, then the time), any `<job>\t<step>\t<time> ` like GitHub's.
  // The first date-time column it can: the build's own output after it may start with a date.
  'tabbed-date-time': new RegExp(
    `^(?:[^\\t]{1,80}\\t){1,2}?(?:${ISO}|${DATE}[T ,]+${TIME}${ZONE})(?:\\t| |$)`,
  ),
  // `web-1  | `, `api_1 | ` (compose), `@acme/web:build: ` (a monorepo runner), Google Cloud
  // Build's `Step #1 - "test": `: see `LABEL_LIMITS`.
  'labelled-column':
    /^(?:[\w.@/-]{1,60}(?: [\w.@/()-]{1,60})? *\| ?|[\w.@/-]{1,80}:[\w.-]{1,40}: ?|Step #\d+(?: - "[^"]{1,80}")?: )/,
  // `[build] `, `[step-test] ` (Tekton's and Argo's step prefix, `kubectl logs --prefix`'s), also
  // with the step's line counter (Drone's and Woodpecker's `[build:23] `): a name in brackets, not
  // a level (`[INFO] `, `[error] `) nor a CI system's own tag (`[Pipeline] `, `[Container] `,
  // `[command]`). See `LABEL_LIMITS`.
  'bracketed-label':
    /^\[(?!(?:info|error|warn(?:ing)?|debug|trace|fatal|severe|notice|critical|success|pipeline|container|command|section|group|endgroup)\])[\w.-]{1,40}(?::\d+)?\] /i,
};

/** Kinds whose values are labels, a column only when few (`fewLabels`). */
const LABEL_KINDS: readonly LogPrefixKind[] = ['labelled-column', 'bracketed-label'];

/**
 * A label column is one only when its labels are few: at most this many distinct values, and
 * at most one per `LABEL_LIMITS.linesPerLabel` lines that have one (so `ERROR | x`-like output
 * with many values is left alone).
 */
const LABEL_LIMITS = { distinct: 12, linesPerLabel: 5 };

/** Rounds of detection: columns found on what the previous round left (label, then time). */
const MAX_ROUNDS = 3;

// GitLab writes `section_start:<epoch>:<name>[<options>]\r\e[0K` (and `section_end`) around each
// phase; the \r ends a line for the labels, so the marker is a line (or a line's head) of its own.
const GITLAB_SECTION = /^(?:section_(?:start|end):\d+:[\w.-]+(?:\[[^\]]*\])?\s*)+/;
// Travis CI's fold and timing markers (`travis_fold:start:install`, `travis_time:end:0a1b:...`),
// each ended by a \r, so a line (or a line's head) of its own, like GitLab's sections.
const TRAVIS_MARKER = /^(?:travis_(?:fold|time):(?:start|end):\S*\s*)+/;
// Workflow commands that only shape the viewer: GitHub Actions' `##[group]Run x`, `##[endgroup]`,
// Azure Pipelines' `##[section]Starting: x`, `##[command]/usr/bin/mvn`. `##[error]`,
// `##[warning]` and the rest are what the build said and stay.
const GITHUB_FOLD = /^##\[(?:group|endgroup|section|command)\]/;
// BuildKit's error summary (` > [2/4] RUN npm ci:` between `------` lines) repeats the failed
// step's last lines with the elapsed column but no `#5 `: `0.512 npm ERR! code E404`. It goes too,
// so the repeated line reads as the build printed it, as it does the first time. Only on logs with
// `buildkit-step`, and only with the 3 decimals BuildKit prints, so a build's own `1.5 s` stays.
const BUILDKIT_ELAPSED = /^\d+\.\d{3} /;

/** The wrapper columns found on a log, and its lines as the build printed them. */
export interface NormalisedLog {
  /**
   * Prefix kinds found on at least half of the log's non-blank lines (a fifth for BuildKit's
   * step column: `SECTION_SHARE`), in the order they are removed (a later one was found on what
   * the earlier ones left).
   */
  prefixes: LogPrefixKind[];
  /** One per input line: no ANSI escapes, no CI columns, no section markers; indentation kept. */
  lines: string[];
}

/** The share of non-blank lines a prefix must start for the log to count as having it. */
const MAJORITY = 0.5;

/**
 * Kinds whose shape is their own, so a log counts as having them on fewer lines than
 * `MAJORITY`: a `docker build` step among a job's other steps prints BuildKit's `#5 0.512 `
 * columns on only part of the log. At least this share of non-blank lines, and
 * `MIN_SECTION_LINES` (or half the log).
 */
const SECTION_SHARE: Partial<Record<LogPrefixKind, number>> = { 'buildkit-step': 0.2 };
const MIN_SECTION_LINES = 8;

/** Lines a kind must start to count as the log's (`MAJORITY`, `SECTION_SHARE`). */
function linesNeeded(kind: LogPrefixKind, nonBlank: number): number {
  const majority = Math.max(1, nonBlank * MAJORITY);
  const share = SECTION_SHARE[kind];
  return share === undefined
    ? majority
    : Math.min(majority, Math.max(MIN_SECTION_LINES, nonBlank * share));
}

/** The line without each of `kinds`' prefixes it starts with, in order (see `BUILDKIT_ELAPSED`). */
function stripPrefixes(line: string, kinds: readonly LogPrefixKind[]): string {
  for (const kind of kinds) {
    const m = PREFIXES[kind].exec(line);
    if (m) line = line.slice(m[0].length);
    else if (kind === 'buildkit-step') line = line.replace(BUILDKIT_ELAPSED, '');
  }
  return line;
}

/** Whether the labels of a `labelled-column` are few enough to be a column, not output. */
function fewLabels(labels: ReadonlyMap<string, number>): boolean {
  let lines = 0;
  for (const n of labels.values()) lines += n;
  return labels.size <= LABEL_LIMITS.distinct && lines >= labels.size * LABEL_LIMITS.linesPerLabel;
}

/** The labels of one label kind (`detectRound` keys them `<kind>:<label>`). */
function labelsOf(labels: ReadonlyMap<string, number>, kind: LogPrefixKind): Map<string, number> {
  return new Map([...labels].filter(([label]) => label.startsWith(`${kind}:`)));
}

/** The kinds (not in `skip`) that start at least half of the non-blank lines. */
function detectRound(lines: readonly string[], skip: readonly LogPrefixKind[]): LogPrefixKind[] {
  const kinds = LOG_PREFIX_KINDS.filter((k) => !skip.includes(k));
  const counts = new Map<LogPrefixKind, number>();
  const labels = new Map<string, number>();
  let nonBlank = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    nonBlank++;
    for (const kind of kinds) {
      const m = PREFIXES[kind].exec(line);
      if (!m) continue;
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      if (LABEL_KINDS.includes(kind)) {
        // A step's line counter is not part of its label (`[build:23]` is `[build]`).
        const label = `${kind}:${m[0].replace(/[\s|:]+$/, '').replace(/:\d+\]$/, ']')}`;
        labels.set(label, (labels.get(label) ?? 0) + 1);
      }
      break;
    }
  }
  return kinds.filter(
    (k) =>
      (counts.get(k) ?? 0) >= linesNeeded(k, nonBlank) &&
      (!LABEL_KINDS.includes(k) || fewLabels(labelsOf(labels, k))),
  );
}

/** Which CI prefix kinds a log's lines carry, in the order to remove them (see `LOG_PREFIX_KINDS`). */
export function detectLogPrefixes(lines: readonly string[]): LogPrefixKind[] {
  const found: LogPrefixKind[] = [];
  let current = lines.map(stripAnsi);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const kinds = detectRound(current, found);
    if (!kinds.length) break;
    found.push(...kinds);
    current = current.map((line) => stripPrefixes(line, kinds));
  }
  return found;
}

/** One line without ANSI escapes, the given prefixes, section and fold markers. */
export function normaliseLogLine(raw: string, prefixes: readonly LogPrefixKind[]): string {
  return stripPrefixes(stripAnsi(raw), prefixes)
    .replace(GITLAB_SECTION, '')
    .replace(TRAVIS_MARKER, '')
    .replace(GITHUB_FOLD, '');
}

/** A log's lines as the build printed them (see `NormalisedLog`). */
export function normaliseLog(lines: readonly string[]): NormalisedLog {
  const prefixes = detectLogPrefixes(lines);
  return { prefixes, lines: lines.map((l) => normaliseLogLine(l, prefixes)) };
}
