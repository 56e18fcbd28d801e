import { z } from 'zod';
import { lineRangeSchema } from './answer.schema';

export const MAX_PAGE_LINES = 200;
export const MAX_SEARCH_RESULTS = 100;
export const MAX_DIFF_LINES = 200;
/** Longer lines are cut in tool results (a classpath line can run to tens of kilobytes). */
export const MAX_LINE_CHARS = 400;
const MAX_PATTERN_LENGTH = 200;
// Far beyond any real log; only stops absurd numbers reaching the handlers.
const MAX_LINE_NUMBER = 10_000_000;

const lineNumber = z.number().int('must be a whole line number').min(1, 'must be at least 1');
const whichLog = z
  .enum(['fail', 'pass'])
  .default('fail')
  .describe(
    'Which log: "fail" (the failing build, the one to explain) or "pass" (the last passing build).',
  );

export const readLinesInput = z
  .object({
    log: whichLog,
    from: lineNumber.max(MAX_LINE_NUMBER).describe('First line to return, 1-based.'),
    count: z
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE_LINES)
      .default(100)
      .describe(`How many lines, at most ${MAX_PAGE_LINES}.`),
  })
  .strict();

export const searchInput = z
  .object({
    log: whichLog,
    pattern: z
      .string()
      .min(1)
      .max(MAX_PATTERN_LENGTH)
      .describe('A JavaScript regular expression, tested against each line without colours.'),
    ignoreCase: z.boolean().default(false),
    from: lineNumber
      .max(MAX_LINE_NUMBER)
      .default(1)
      .describe('Search from this line on (to page past earlier results).'),
    maxResults: z.number().int().min(1).max(MAX_SEARCH_RESULTS).default(50),
  })
  .strict();

export const diffSummaryInput = z
  .object({
    from: lineNumber
      .max(MAX_LINE_NUMBER)
      .default(1)
      .describe('Report new lines from this line of fail.log on.'),
    maxLines: z.number().int().min(1).max(MAX_DIFF_LINES).default(100),
  })
  .strict();

export const submitAnswerInput = z
  .object({
    ranges: z
      .array(lineRangeSchema)
      .describe('Line ranges of fail.log that explain the failure, 1-based and inclusive.'),
  })
  .strict();

export const TRIAGE_TOOL_INPUTS = {
  read_lines: readLinesInput,
  search: searchInput,
  diff_summary: diffSummaryInput,
  submit_answer: submitAnswerInput,
} as const;

export type TriageToolName = keyof typeof TRIAGE_TOOL_INPUTS;

const DESCRIPTIONS: Record<TriageToolName, string> = {
  read_lines: `Read a page of a build log with line numbers (at most ${MAX_PAGE_LINES} lines).`,
  search: `Find lines of a build log matching a regular expression; returns line numbers and text (at most ${MAX_SEARCH_RESULTS} per call).`,
  diff_summary: `Lines of the failing log that do not appear in the passing log (ignoring colours and timestamps), with line numbers (at most ${MAX_DIFF_LINES} per call).`,
  submit_answer:
    'Submit the final answer: the line ranges of the failing log that explain the failure. Ends the task.',
};

/** A tool as model providers describe it (the Messages API's `tools` entries). */
export interface ToolDefinition {
  name: TriageToolName;
  description: string;
  input_schema: Record<string, unknown>;
}

/** JSON-schema tool definitions, generated from the same schemas the handlers validate with. */
export const TRIAGE_TOOLS: readonly ToolDefinition[] = (
  Object.keys(TRIAGE_TOOL_INPUTS) as TriageToolName[]
).map((name) => {
  const { $schema: _drop, ...schema } = z.toJSONSchema(TRIAGE_TOOL_INPUTS[name], { io: 'input' });
  return { name, description: DESCRIPTIONS[name], input_schema: schema };
});
