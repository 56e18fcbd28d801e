import { patternRisk, tenantRegExp } from '@reverie/patterns';
import type { z } from 'zod';
import { parseAnswer } from './answer.schema';
import { TriageError } from './errors';
import { mergeRanges, countLines, type LineRange } from './line-range';
import { normalizeLine, stripAnsi } from './log-lines';
import type { TriageInput } from './triage-case';
import {
  MAX_LINE_CHARS,
  TRIAGE_TOOL_INPUTS,
  diffSummaryInput,
  readLinesInput,
  searchInput,
  submitAnswerInput,
  type TriageToolName,
} from './triage-tool.schemas';

export interface NumberedLine {
  n: number;
  text: string;
}

export interface ReadLinesResult {
  log: 'fail' | 'pass';
  totalLines: number;
  from: number;
  to: number;
  lines: NumberedLine[];
}

export interface SearchResult {
  log: 'fail' | 'pass';
  matches: NumberedLine[];
  /** More matches follow; search again from `nextFrom`. */
  truncated: boolean;
  nextFrom?: number;
}

export interface DiffSummaryResult {
  totalLines: number;
  lines: NumberedLine[];
  truncated: boolean;
  nextFrom?: number;
}

export interface SubmitAnswerResult {
  accepted: true;
  ranges: LineRange[];
  lineCount: number;
}

export function readLines(ctx: TriageInput, input: unknown): ReadLinesResult {
  const { log, from, count } = validate('read_lines', readLinesInput, input);
  const lines = logOf(ctx, log);
  if (from > lines.length)
    throw new TriageError(
      `read_lines: from ${from} is past the end of ${log}.log (${lines.length} lines)`,
    );
  const to = Math.min(lines.length, from + count - 1);
  return { log, totalLines: lines.length, from, to, lines: numbered(lines, from, to) };
}

export function search(ctx: TriageInput, input: unknown): SearchResult {
  const { log, pattern, ignoreCase, from, maxResults } = validate('search', searchInput, input);
  let re: RegExp;
  const flags = ignoreCase ? 'i' : '';
  try {
    re = tenantRegExp(pattern, flags);
  } catch (e) {
    throw new TriageError(
      `search: pattern is not a valid regular expression (${(e as Error).message})`,
    );
  }
  const risk = patternRisk(pattern, flags);
  if (risk) throw new TriageError(`search: pattern ${risk}`);
  const lines = logOf(ctx, log);
  const matches: NumberedLine[] = [];
  for (let i = from - 1; i < lines.length; i++) {
    const text = stripAnsi(lines[i]);
    if (!re.test(text)) continue;
    if (matches.length === maxResults) return { log, matches, truncated: true, nextFrom: i + 1 };
    matches.push({ n: i + 1, text: cut(text) });
  }
  return { log, matches, truncated: false };
}

export function diffSummary(ctx: TriageInput, input: unknown): DiffSummaryResult {
  const { from, maxLines } = validate('diff_summary', diffSummaryInput, input);
  const passSet = normalizedSet(ctx.passLines);
  const out: NumberedLine[] = [];
  let total = 0;
  let nextFrom: number | undefined;
  ctx.failLines.forEach((raw, i) => {
    const norm = normalizeLine(raw);
    if (norm === '' || passSet.has(norm)) return;
    total++;
    if (i + 1 < from) return;
    if (out.length < maxLines) out.push({ n: i + 1, text: cut(stripAnsi(raw)) });
    else nextFrom ??= i + 1;
  });
  return { totalLines: total, lines: out, truncated: nextFrom !== undefined, nextFrom };
}

export function submitAnswer(ctx: TriageInput, input: unknown): SubmitAnswerResult {
  const { ranges } = validate('submit_answer', submitAnswerInput, input);
  const checked = mergeRanges(parseAnswer(ranges, ctx.failLines.length));
  return { accepted: true, ranges: checked, lineCount: countLines(checked) };
}

const HANDLERS: Record<TriageToolName, (ctx: TriageInput, input: unknown) => unknown> = {
  read_lines: readLines,
  search,
  diff_summary: diffSummary,
  submit_answer: submitAnswer,
};

export type ToolOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Runs a tool call by name. Bad input comes back as `{ ok: false, error }` with a message meant
 * for the model to read and correct itself; anything else that throws is a bug and propagates.
 */
export function callTriageTool(ctx: TriageInput, name: string, input: unknown): ToolOutcome {
  const handler = HANDLERS[name as TriageToolName];
  if (!handler)
    return {
      ok: false,
      error: `unknown tool "${name}"; the tools are ${Object.keys(HANDLERS).join(', ')}`,
    };
  try {
    return { ok: true, result: handler(ctx, input) };
  } catch (e) {
    if (e instanceof TriageError) return { ok: false, error: e.message };
    throw e;
  }
}

function validate<S extends z.ZodType>(
  tool: TriageToolName,
  schema: S,
  input: unknown,
): z.infer<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join('.') || 'input';
  throw new TriageError(`${tool}: ${field} ${issue.message}`);
}

function logOf(ctx: TriageInput, log: 'fail' | 'pass'): readonly string[] {
  return log === 'fail' ? ctx.failLines : ctx.passLines;
}

function numbered(lines: readonly string[], from: number, to: number): NumberedLine[] {
  const out: NumberedLine[] = [];
  for (let n = from; n <= to; n++) out.push({ n, text: cut(stripAnsi(lines[n - 1])) });
  return out;
}

function cut(text: string): string {
  return text.length <= MAX_LINE_CHARS
    ? text
    : `${text.slice(0, MAX_LINE_CHARS)}… [${text.length - MAX_LINE_CHARS} more characters]`;
}

// A model calls diff_summary several times per episode; normalise pass.log once per log.
const passSets = new WeakMap<readonly string[], Set<string>>();
function normalizedSet(lines: readonly string[]): Set<string> {
  let set = passSets.get(lines);
  if (!set) passSets.set(lines, (set = new Set(lines.map(normalizeLine))));
  return set;
}

/** Which tool names exist, for agents that dispatch by name. */
export const TRIAGE_TOOL_NAMES = Object.keys(TRIAGE_TOOL_INPUTS) as TriageToolName[];
