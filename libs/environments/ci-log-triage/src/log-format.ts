import { stripAnsi } from './log-lines';

/**
 * CI systems wrap every line a build prints in their own columns: GitHub Actions a timestamp (raw
 * logs) or `<job>\t<step>\t<timestamp> ` (the full log of `gh run view --log`), Jenkins a
 * timestamper column (`[2024-01-24T10:00:00.123Z] `, `10:00:00  `) and `[Pipeline]` step lines,
 * GitLab section markers and, with timestamps on, `<timestamp> 00O ` columns. Rules must see what
 * the build printed, not the wrapper: a rule about "build" must not match every line of a job
 * whose name says build. Normalisation keeps one line per line (labels count lines), and each
 * prefix is removed only where the log as a whole has it, so a line of the build's own output
 * that happens to start with a time is left alone.
 */
export const LOG_PREFIX_KINDS = [
  'github-actions-full',
  'gitlab-timestamped',
  'github-actions-raw',
  'jenkins-timestamper-iso',
  'jenkins-timestamper-time',
] as const;
export type LogPrefixKind = (typeof LOG_PREFIX_KINDS)[number];

const ISO = '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?';

/** Each kind's prefix. `LOG_PREFIX_KINDS` lists the most specific first: a line counts for the first that fits. */
const PREFIXES: Record<LogPrefixKind, RegExp> = {
  // `build (ubuntu-latest)\tRun mvn verify\t2024-01-24T10:00:00.1234567Z [ERROR] ...`
  'github-actions-full': new RegExp(`^[^\\t]*\\t[^\\t]*\\t${ISO} ?`),
  // `2024-01-24T10:00:00.1234567Z 00O+ ...`: GitLab's stream (2 hex digits, O/E) and `+` for a continued line.
  'gitlab-timestamped': new RegExp(`^${ISO} [0-9a-f]{2}[OE]\\+? ?`),
  'github-actions-raw': new RegExp(`^${ISO} ?`),
  'jenkins-timestamper-iso': new RegExp(`^\\[${ISO}\\] ?`),
  'jenkins-timestamper-time': /^\[?\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?\]?\s+/,
};

// GitLab writes `section_start:<epoch>:<name>[<options>]\r\e[0K` (and `section_end`) around each
// phase; the \r ends a line for the labels, so the marker is a line (or a line's head) of its own.
const GITLAB_SECTION = /^(?:section_(?:start|end):\d+:[\w.-]+(?:\[[^\]]*\])?\s*)+/;
// GitHub Actions workflow commands that only shape the viewer (`##[group]Run x`, `##[endgroup]`);
// `##[error]`, `##[warning]` and the rest are what the build said and stay.
const GITHUB_FOLD = /^##\[(?:group|endgroup)\]/;

/** The wrapper columns found on a log, and its lines as the build printed them. */
export interface NormalisedLog {
  /** Prefix kinds found on at least half of the log's non-blank lines. */
  prefixes: LogPrefixKind[];
  /** One per input line: no ANSI escapes, no CI columns, no section markers; indentation kept. */
  lines: string[];
}

/** The share of non-blank lines a prefix must start for the log to count as having it. */
const MAJORITY = 0.5;

/** Which CI prefix kinds a log's lines carry (see `LOG_PREFIX_KINDS`). */
export function detectLogPrefixes(lines: readonly string[]): LogPrefixKind[] {
  const counts = new Map<LogPrefixKind, number>();
  let nonBlank = 0;
  for (const raw of lines) {
    const line = stripAnsi(raw);
    if (line.trim() === '') continue;
    nonBlank++;
    const kind = LOG_PREFIX_KINDS.find((k) => PREFIXES[k].test(line));
    if (kind) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return LOG_PREFIX_KINDS.filter((k) => (counts.get(k) ?? 0) >= Math.max(1, nonBlank * MAJORITY));
}

/** One line without ANSI escapes, the given prefixes, GitLab section markers and fold commands. */
export function normaliseLogLine(raw: string, prefixes: readonly LogPrefixKind[]): string {
  let line = stripAnsi(raw);
  for (const kind of prefixes) {
    const m = PREFIXES[kind].exec(line);
    if (m) {
      line = line.slice(m[0].length);
      break;
    }
  }
  return line.replace(GITLAB_SECTION, '').replace(GITHUB_FOLD, '');
}

/** A log's lines as the build printed them (see `NormalisedLog`). */
export function normaliseLog(lines: readonly string[]): NormalisedLog {
  const prefixes = detectLogPrefixes(lines);
  return { prefixes, lines: lines.map((l) => normaliseLogLine(l, prefixes)) };
}
