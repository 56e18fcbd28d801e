import { z } from 'zod';
import { TriageError } from './errors';
import type { LineRange } from './line-range';

/** More ranges than this is not an answer a person could read. */
export const MAX_ANSWER_RANGES = 500;

export const lineRangeSchema = z
  .object({
    start: z.number().int('must be a whole line number').min(1, 'must be at least 1'),
    end: z.number().int('must be a whole line number').min(1, 'must be at least 1'),
  })
  .strict()
  .refine((r) => r.start <= r.end, {
    message: 'start must not be after end',
    path: ['end'],
  });

/** An answer's ranges, checked against the length of the log they point into. */
export function answerSchema(lineCount: number, maxRanges = MAX_ANSWER_RANGES) {
  return z
    .array(lineRangeSchema)
    .max(maxRanges, `must hold at most ${maxRanges} ranges; merge neighbouring ones`)
    .superRefine((ranges, ctx) => {
      ranges.forEach((r, i) => {
        if (r.end > lineCount)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'end'],
            message: `is line ${r.end}, past the end of the log (${lineCount} lines)`,
          });
      });
    });
}

/** Validates an answer or throws naming the first wrong range, e.g. `ranges[2].end is ...`. */
export function parseAnswer(
  input: unknown,
  lineCount: number,
  maxRanges = MAX_ANSWER_RANGES,
): LineRange[] {
  const parsed = answerSchema(lineCount, maxRanges).safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const path = first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  throw new TriageError(`invalid answer: ranges${path} ${first.message}${more}`);
}
