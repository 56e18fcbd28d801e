import { patternRisk } from '@reverie/patterns';
import { z } from 'zod';
import { showValue } from './errors';
import { MAX_JSON_PATH_LENGTH, parseJsonPath } from './json-path';

/** Criterion ids: a lower-case letter, then letters, digits, `_` or `-`; at most 64 characters. */
export const CRITERION_ID_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
export const COMPARISON_OPS = ['lt', 'lte', 'gt', 'gte', 'eq', 'ne'] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];
export const CRITERION_KINDS = [
  'bound',
  'answer_path',
  'answer_regex',
  'tool',
  'step_limit',
  'token_budget',
  'label_match',
  'judge',
] as const;
export type CriterionKind = (typeof CRITERION_KINDS)[number];
export const MAX_REGEX_LENGTH = 500;

const typeError =
  (what: string) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined
      ? `is required: ${what}`
      : `must be ${what}, got ${showValue(iss.input)}`;

/** A finite number that must also pass `ok`. */
const num = (what: string, ok: (v: number) => boolean = () => true) =>
  z.number({ error: typeError(what) }).refine(ok, { error: (iss) => typeError(what)(iss) });

const int = (what: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  num(what, (v) => Number.isSafeInteger(v) && v >= min && v <= max);

const text = (what: string, min: number, max: number) =>
  z.string({ error: typeError(what) }).refine((s) => s.trim().length >= min && s.length <= max, {
    error: (iss) => typeError(what)(iss),
  });

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: typeError(`one of ${values.join(', ')}`) });

/** A strict object whose messages list its fields: unknown keys are refused by name. */
function obj<S extends z.ZodRawShape>(shape: S) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `is not a known field; allowed fields: ${fields}`
        : typeError(`an object with fields ${fields}`)(iss),
  });
}

const common = {
  id: z.string({ error: typeError('a criterion id') }).regex(CRITERION_ID_PATTERN, {
    error: (iss) =>
      `must be a lower-case letter then up to 63 letters, digits, "_" or "-", got ${showValue(iss.input)}`,
  }),
  description: text('a description of up to 2,000 characters', 0, 2_000).optional(),
  /** Share of the score; every criterion weighs 1 unless told otherwise. */
  weight: num('a positive number', (v) => v > 0).default(1),
  /** A required criterion must pass for the outcome to be satisfied, whatever the score. */
  required: z.boolean({ error: typeError('true or false') }).default(false),
};

const op = oneOf(COMPARISON_OPS);
const comparable = z.union([z.number(), z.boolean(), z.string().max(200)], {
  error: typeError('a number, true/false, or a string of up to 200 characters'),
});

/** lt/lte/gt/gte compare numbers only. */
function numericOpNeedsNumber(c: { op: ComparisonOp; value: unknown }, ctx: z.RefinementCtx) {
  if (['lt', 'lte', 'gt', 'gte'].includes(c.op) && typeof c.value !== 'number')
    ctx.addIssue({
      code: 'custom',
      path: ['value'],
      message: `must be a number for op "${c.op}" (only eq and ne compare strings and booleans), got ${showValue(c.value)}`,
    });
}

/** A value of the session's final state or telemetry, e.g. `touchdown.vertical_speed`, vs a limit. */
export const boundCriterionSchema = obj({
  ...common,
  kind: z.literal('bound'),
  /** A fact name (see FACT_NAMES); checked against the definition's environment. */
  path: z.string({ error: typeError('a fact name such as touchdown.vertical_speed') }),
  op,
  value: comparable,
}).superRefine(numericOpNeedsNumber);

/** A value inside the final answer's JSON, e.g. `$.ranges.length`, vs a limit. */
export const answerPathCriterionSchema = obj({
  ...common,
  kind: z.literal('answer_path'),
  path: z
    .string({ error: typeError('a JSON path such as $.ranges.length') })
    .refine((p) => parseJsonPath(p) !== null, {
      error: (iss) =>
        `must be a JSON path of up to ${MAX_JSON_PATH_LENGTH} characters: "$" then ".key" or "[index]" steps, optionally ending in ".length" (e.g. $.ranges[0].start, $.ranges.length), got ${showValue(iss.input)}`,
    }),
  op,
  value: comparable,
}).superRefine(numericOpNeedsNumber);

/** The final answer's text matches (or does not match) a regular expression. */
export const answerRegexCriterionSchema = obj({
  ...common,
  kind: z.literal('answer_regex'),
  pattern: text(`a regular expression of 1 to ${MAX_REGEX_LENGTH} characters`, 1, MAX_REGEX_LENGTH),
  flags: z
    .string({ error: typeError('regex flags, any of i, m, s, u') })
    .refine((f) => /^[imsu]*$/.test(f) && new Set(f).size === f.length, {
      error: (iss) => `must be distinct flags from i, m, s, u, got ${showValue(iss.input)}`,
    })
    .optional(),
  expect: oneOf(['match', 'no_match']).default('match'),
}).superRefine((c, ctx) => {
  try {
    new RegExp(c.pattern, c.flags);
  } catch (err) {
    ctx.addIssue({
      code: 'custom',
      path: ['pattern'],
      message: `does not compile: ${(err as Error).message}`,
    });
    return;
  }
  const risk = patternRisk(c.pattern, c.flags);
  if (risk) ctx.addIssue({ code: 'custom', path: ['pattern'], message: risk });
});

/** A tool (a `tool_call` or an `action` of that name) was, or was not, used. */
export const toolCriterionSchema = obj({
  ...common,
  kind: z.literal('tool'),
  tool: text('a tool or action name of 1 to 128 characters', 1, 128),
  expect: oneOf(['called', 'not_called']),
});

/** The session took at most `maxSteps` steps. */
export const stepLimitCriterionSchema = obj({
  ...common,
  kind: z.literal('step_limit'),
  maxSteps: int('a whole number of steps, at least 1', 1),
});

/** The session's model calls stayed within a token count and/or a cost (see MODEL_PRICES). */
export const tokenBudgetCriterionSchema = obj({
  ...common,
  kind: z.literal('token_budget'),
  maxTokens: int('a whole number of tokens, at least 1', 1).optional(),
  maxCostUsd: num('a positive amount of US dollars', (v) => v > 0).optional(),
}).superRefine((c, ctx) => {
  if (c.maxTokens === undefined && c.maxCostUsd === undefined)
    ctx.addIssue({ code: 'custom', message: 'needs maxTokens, maxCostUsd or both' });
});

/** A CI-log triage answer scored against the labelled lines: the metric must reach `min`. */
export const labelMatchCriterionSchema = obj({
  ...common,
  kind: z.literal('label_match'),
  metric: oneOf(['precision', 'recall', 'f1']),
  min: num('a number from 0 to 1', (v) => v >= 0 && v <= 1),
});

/** Which model judges a `judge` criterion (the run's model settings shape). */
export const judgeModelSchema = obj({
  provider: oneOf(['builtin', 'anthropic']),
  model: text('a model name of 1 to 128 characters', 1, 128).optional(),
  maxTokens: int('a whole number of tokens from 1 to 200,000', 1, 200_000).optional(),
});

/** A model reads the transcript and the final answer and scores them against instructions. */
export const judgeCriterionSchema = obj({
  ...common,
  kind: z.literal('judge'),
  instructions: text('instructions for the judge, 1 to 4,000 characters', 1, 4_000),
  threshold: num('a number from 0 to 1', (v) => v >= 0 && v <= 1).default(0.7),
  model: judgeModelSchema.optional(),
});

/** One criterion of a rubric, by `kind`. */
export const criterionSchema = z.discriminatedUnion(
  'kind',
  [
    boundCriterionSchema,
    answerPathCriterionSchema,
    answerRegexCriterionSchema,
    toolCriterionSchema,
    stepLimitCriterionSchema,
    tokenBudgetCriterionSchema,
    labelMatchCriterionSchema,
    judgeCriterionSchema,
  ],
  {
    error: (iss) => {
      const input = iss.input;
      if (input === null || typeof input !== 'object' || Array.isArray(input))
        return `must be a criterion object with a kind (${CRITERION_KINDS.join(', ')}), got ${showValue(input)}`;
      const kind = (input as { kind?: unknown }).kind;
      return `must be one of ${CRITERION_KINDS.join(', ')}, got ${showValue(kind)}`;
    },
  },
);

export type Criterion = z.output<typeof criterionSchema>;
export type CriterionInput = z.input<typeof criterionSchema>;
export type JudgeModel = z.output<typeof judgeModelSchema>;
export type CriterionOf<K extends CriterionKind> = Extract<Criterion, { kind: K }>;
