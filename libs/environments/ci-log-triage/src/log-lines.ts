/**
 * Splits a log into lines the way the dataset's labels count them: `\r\n`, a lone `\r` and `\n`
 * each end a line (Java's `readLine`). Progress output in Maven logs uses bare `\r`, so counting
 * only `\n` would shift every label after the first progress bar. A final terminator does not
 * start an extra empty line.
 */
export function splitLogLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// String sequences first (OSC hyperlinks and titles, APC such as Buildkite's `ESC _bk;t=<ms> BEL`
// timestamps, DCS, PM, SOS: up to BEL or ESC \), then CSI sequences (colours, cursor moves) and
// the two-byte escapes some tools emit. Built from a string because a literal ESC in a
// regular-expression literal trips no-control-regex.
const ESC = '\u001b';
const BEL = '\u0007';
const ANSI = new RegExp(
  `${ESC}[\\]_^PX][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)?|${ESC}\\[[0-?]*[ -/]*[@-~]|${ESC}[@-Z\\\\-_]`,
  'g',
);

/** The line as a person sees it in a terminal: without ANSI escape sequences. */
export function stripAnsi(line: string): string {
  return line.replace(ANSI, '');
}

// GitHub Actions prefixes every raw log line with an ISO-8601 timestamp.
const LEADING_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?\s?/;

/**
 * The form in which two logs' lines are compared: no colours, no leading timestamp, no
 * surrounding whitespace. Two builds print the same step with different timestamps.
 */
export function normalizeLine(line: string): string {
  return stripAnsi(line).replace(LEADING_TIMESTAMP, '').trim();
}
