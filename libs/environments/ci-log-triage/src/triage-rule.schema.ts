import { patternRisk } from '@reverie/patterns';
import { z } from 'zod';
import { TriageError } from './errors';

/**
 * Every condition a rule's `when` (and an action's `while`) can state, so a search over rules
 * (the dreamer's simulation reflector) can enumerate the space. `regex` conditions take a
 * JavaScript regular-expression source tested against the line without colours; `boolean`
 * conditions compare a feature; `range` conditions take `{ min?, max? }`, both inclusive.
 * All conditions of one `when` must hold; an empty `when` matches every line.
 */
export const RULE_CONDITIONS = [
  { key: 'lineMatches', kind: 'regex', description: 'the line matches this regular expression' },
  { key: 'lineNotMatches', kind: 'regex', description: 'the line does not match it' },
  { key: 'ignoreCase', kind: 'flag', description: 'lineMatches / lineNotMatches ignore case' },
  { key: 'inPassLog', kind: 'boolean', description: 'the same line appears in pass.log' },
  {
    key: 'isMarker',
    kind: 'boolean',
    description:
      "the line has a generic error marker, or is in Gradle's '* What went wrong:' section",
  },
  { key: 'isBlank', kind: 'boolean', description: 'the line is empty or whitespace' },
  { key: 'isStackFrame', kind: 'boolean', description: 'the line is a stack-trace frame' },
  { key: 'selected', kind: 'boolean', description: 'the line is in the answer so far' },
  { key: 'indent', kind: 'range', description: 'leading spaces and tabs' },
  { key: 'lineNumber', kind: 'range', description: '1-based line number' },
  { key: 'fromEnd', kind: 'range', description: 'lines after this one (0 = last line)' },
  { key: 'relativePosition', kind: 'range', description: '0 = first line, 1 = last line' },
  {
    key: 'distanceAfterMarker',
    kind: 'range',
    description: 'lines since the nearest marker line at or before (0 on a marker)',
  },
  {
    key: 'distanceBeforeMarker',
    kind: 'range',
    description: 'lines until the nearest marker line at or after (0 on a marker)',
  },
  {
    key: 'distanceToFreshMarker',
    kind: 'range',
    description: 'lines to the nearest marker line pass.log does not have, before or after',
  },
  {
    key: 'isContinuation',
    kind: 'boolean',
    description:
      'the line continues the one above (stack frame, Caused by:, indented past its tag, a source excerpt or compiler note, a framed report)',
  },
  {
    key: 'inErrorBlock',
    kind: 'boolean',
    description: 'in an error block: a marker line and the continuation lines after it',
  },
  {
    key: 'inFreshBlock',
    kind: 'boolean',
    description: 'in an error block with a marker line pass.log does not have',
  },
  {
    key: 'shapeInPassLog',
    kind: 'boolean',
    description: 'pass.log has a line of the same shape (numbers and ids masked)',
  },
  {
    key: 'blockOffset',
    kind: 'range',
    description: 'lines since the head of its error block (0 on the head; none outside a block)',
  },
  {
    key: 'distanceToFreshBlock',
    kind: 'range',
    description: 'lines to the nearest line of a fresh error block, before or after (0 inside)',
  },
  {
    key: 'repeats',
    kind: 'range',
    description: 'lines of fail.log with the same text (1 if unique)',
  },
  {
    key: 'runLength',
    kind: 'range',
    description:
      'lines of its error run (consecutive marker and continuation lines, an exception with its frames); 0 outside one',
  },
  {
    key: 'inFreshRun',
    kind: 'boolean',
    description: 'in an error run with a marker line pass.log does not have',
  },
  {
    key: 'inMarkedNews',
    kind: 'boolean',
    description:
      'in a stretch of lines pass.log has no line of the shape of that holds a marker pass.log lacks',
  },
  {
    key: 'isStatusLine',
    kind: 'boolean',
    description:
      'the line only reports that a build, job or process failed (BUILD FAILURE, Finished: FAILURE, exit code 1)',
  },
] as const;

/**
 * What a rule can do to the lines it matches. `lines` and `while` apply to the actions that
 * reach beyond the matched line: they cover the matched line and up to `lines` (default 1)
 * lines after (or before) it, stopping early at the first line that does not meet `while`. The
 * excludes never empty the answer: one that would remove every selected line removes none.
 */
export const RULE_ACTIONS = [
  { action: 'include', reaches: false, description: 'add the line to the answer' },
  { action: 'exclude', reaches: false, description: 'remove the line from the answer' },
  { action: 'include_following', reaches: true, description: 'add it and the lines after it' },
  { action: 'include_preceding', reaches: true, description: 'add it and the lines before it' },
  { action: 'exclude_following', reaches: true, description: 'remove it and the lines after it' },
] as const;

export type RuleAction = (typeof RULE_ACTIONS)[number]['action'];
const ACTION_NAMES = RULE_ACTIONS.map((a) => a.action) as [RuleAction, ...RuleAction[]];
const REACHING = new Set<string>(RULE_ACTIONS.filter((a) => a.reaches).map((a) => a.action));

export const MAX_RULE_REACH = 1_000;
const MAX_REGEX_LENGTH = 500;

const regexSource = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_REGEX_LENGTH, `must be at most ${MAX_REGEX_LENGTH} characters`)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid regular expression (${(e as Error).message})`,
      });
    }
  });

const numberRange = z
  .object({ min: z.number().optional(), max: z.number().optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, {
    message: 'min must not be greater than max',
  });

// One schema per kind of condition; `lineConditionSchema` holds one optional field for each entry
// of RULE_CONDITIONS, so a new condition is declared there once.
const CONDITION_SCHEMAS = {
  regex: regexSource,
  flag: z.boolean(),
  boolean: z.boolean(),
  range: numberRange,
};
type RuleCondition = (typeof RULE_CONDITIONS)[number];
type LineConditionShape = {
  [C in RuleCondition as C['key']]: z.ZodOptional<(typeof CONDITION_SCHEMAS)[C['kind']]>;
};

export const lineConditionSchema = z
  .object(
    Object.fromEntries(
      RULE_CONDITIONS.map((c) => [c.key, CONDITION_SCHEMAS[c.kind].optional()]),
    ) as LineConditionShape,
  )
  .strict()
  .superRefine((c, ctx) => {
    // A pattern that could backtrack without bound, with the flags it will run with.
    for (const key of ['lineMatches', 'lineNotMatches'] as const) {
      const source = c[key];
      const risk = source === undefined ? null : patternRisk(source, c.ignoreCase ? 'i' : '');
      if (risk) ctx.addIssue({ code: 'custom', path: [key], message: risk });
    }
  });

export const triageRuleSchema = z
  .object({
    id: z.string().min(1, 'must not be empty').max(200),
    when: lineConditionSchema,
    then: z
      .object({
        action: z.enum(ACTION_NAMES),
        lines: z.number().int().min(1).max(MAX_RULE_REACH).optional(),
        while: lineConditionSchema.optional(),
      })
      .strict()
      .superRefine((t, ctx) => {
        if (REACHING.has(t.action)) return;
        for (const key of ['lines', 'while'] as const)
          if (t[key] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `only applies to ${[...REACHING].join(', ')}, not to ${t.action}`,
            });
      }),
  })
  .strict();

export type LineCondition = z.infer<typeof lineConditionSchema>;
export type TriageRule = z.infer<typeof triageRuleSchema>;

/**
 * Validates structured rules (for example a playbook's rules rendered as JSON) or throws naming
 * the rule and the field: `rule "x" (rules[2]): when.lineMatches is not a valid regular ...`.
 */
export function parseRules(input: unknown): TriageRule[] {
  if (!Array.isArray(input))
    throw new TriageError(`rules must be an array of { id, when, then }, got ${typeof input}`);
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const parsed = triageRuleSchema.safeParse(raw);
    const id = (raw as { id?: unknown } | null)?.id;
    const label = `rule ${typeof id === 'string' ? `"${id}" ` : ''}(rules[${i}])`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue.path.map(String).join('.') || '(rule)';
      throw new TriageError(`${label}: ${path} ${issue.message}`);
    }
    if (seen.has(parsed.data.id))
      throw new TriageError(`${label}: id is already used by an earlier rule; ids must be unique`);
    seen.add(parsed.data.id);
    return parsed.data;
  });
}
