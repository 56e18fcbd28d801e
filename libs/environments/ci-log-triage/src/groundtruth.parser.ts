import { TriageError } from './errors';
import type { LineRange } from './line-range';
import { LOG_FORMATS, type LogFormat } from './triage-case';

export interface Groundtruth {
  format: LogFormat;
  errorRanges: LineRange[];
  contextRanges: LineRange[];
}

const LABEL_LINE = /^(?:([EC])\s+)?(\d+)(?:\s*-\s*(\d+))?$/;

/**
 * Parses a `groundtruth` file: the log format on the first line, then `E <range>` and
 * `C <range>` lines (1-based, inclusive; `<range>` is `n` or `first-last`). Blank lines are
 * skipped. Overlapping ranges are accepted although the dataset's README says there are none:
 * one labelled case (googleguice_2121) has an `E` range inside another, and scoring works on the
 * set of lines, so an overlap changes nothing.
 *
 * CiDiff's first layout is accepted too: no format line, and bare ranges (`34-45`, `56`), each an
 * error range; the format is then `DEFAULT` (it names the dataset's layout only: the log's own
 * columns are found by `normaliseLog`, whatever it says).
 */
export function parseGroundtruth(text: string, source = 'groundtruth'): Groundtruth {
  const lines = text.split(/\r\n|\r|\n/);
  let format: LogFormat | undefined;
  const errorRanges: LineRange[] = [];
  const contextRanges: LineRange[] = [];

  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${source} line ${i + 1}`;
    const m = LABEL_LINE.exec(line);
    if (!format) {
      if ((LOG_FORMATS as readonly string[]).includes(line)) {
        format = line as LogFormat;
        return;
      }
      if (!m)
        throw new TriageError(
          `${where}: expected the log format (${LOG_FORMATS.join(', ')}) or a labelled range first, got "${line}"`,
        );
      format = 'DEFAULT';
    }
    if (!m)
      throw new TriageError(
        `${where}: expected "E <range>" or "C <range>" (or a bare range, an error range) with <range> as "n" or "first-last", got "${line}"`,
      );
    const start = Number(m[2]);
    const end = m[3] === undefined ? start : Number(m[3]);
    if (start < 1) throw new TriageError(`${where}: line numbers start at 1, got "${line}"`);
    // Past 2^53 a number reads as another one: it would be echoed back changed.
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end))
      throw new TriageError(`${where}: a line number no log reaches, got "${line}"`);
    if (end < start)
      throw new TriageError(`${where}: range ends (${end}) before it starts (${start})`);
    (m[1] === 'C' ? contextRanges : errorRanges).push({ start, end });
  });

  if (!format) throw new TriageError(`${source} is empty: expected the log format on line 1`);
  // A case with nothing to find scores F1 1.0 for answering nothing: it would lift every mean.
  if (!errorRanges.length)
    throw new TriageError(
      `${source} labels no error lines: a case needs at least one "E <range>" line`,
    );
  return { format, errorRanges, contextRanges };
}
