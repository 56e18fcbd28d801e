import { z } from 'zod';
import { criterionSchema } from './criterion.schema';
import { OutcomeError, showValue, summarizeProblems, toProblems } from './errors';
import { knownFactNames, OUTCOME_ENVIRONMENTS, type OutcomeEnvironment } from './fact-names';

export const MAX_CRITERIA = 50;
export const DEFAULT_MAX_ITERATIONS = 3;
export const DEFAULT_PASSING_SCORE = 0.8;

const got = (what: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `is required: ${what}` : `must be ${what}, got ${showValue(iss.input)}`;

const definitionFields =
  'description, environment, maxIterations, passingScore, criteria, promotion';

/** The most satisfied tasks a family may be allowed to lose (a larger number disables nothing). */
export const MAX_FAMILY_TOLERANCE = 1_000;

/**
 * The operator's rules for promoting what a dream learned, besides the criteria (which say what a
 * satisfied session is). `familyTolerance`: the most satisfied validation tasks any one task
 * family (a lunar scenario family) may lose net in a dream's sandbox validation, so gains on some
 * families cannot pay for another's losses; absent, the dreams weigh tasks, not families.
 * `holdCriteria`: ids of criteria no gain may pay for: their mean score on validation may not
 * fall at all, however many more tasks the change satisfies (a lunar rubric holds `safe`, so no
 * fuel saved pays for a landing that is no longer safe).
 */
const promotionFields = 'familyTolerance, holdCriteria';
const promotionSchema = z.strictObject(
  {
    familyTolerance: z
      .number({ error: got(`a whole number from 0 to ${MAX_FAMILY_TOLERANCE}`) })
      .refine((v) => Number.isInteger(v) && v >= 0 && v <= MAX_FAMILY_TOLERANCE, {
        error: got(`a whole number from 0 to ${MAX_FAMILY_TOLERANCE}`),
      })
      .optional(),
    holdCriteria: z
      .array(z.string({ error: got('a criterion id') }), {
        error: got('a list of criterion ids'),
      })
      .max(MAX_CRITERIA, { error: `must list at most ${MAX_CRITERIA} criterion ids` })
      .optional(),
  },
  {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `is not a known field; allowed fields: ${promotionFields}`
        : got(`an object with the fields ${promotionFields}`)(iss),
  },
);

/**
 * An outcome definition (rubric): what a session must achieve, as weighted criteria. Bound paths
 * are checked against the environment's fact names, and criterion ids must be unique.
 */
export const outcomeDefinitionSchema = z
  .strictObject(
    {
      description: z
        .string({ error: got('a description of 1 to 2,000 characters') })
        .refine((s) => s.trim().length >= 1 && s.length <= 2_000, {
          error: got('a description of 1 to 2,000 characters'),
        }),
      /** The task type this rubric grades; absent: any. */
      environment: z
        .enum(OUTCOME_ENVIRONMENTS, { error: got(`one of ${OUTCOME_ENVIRONMENTS.join(', ')}`) })
        .optional(),
      /** How many attempts an agent gets before the verdict is `max_iterations_reached`. */
      maxIterations: z
        .number({ error: got('a whole number from 1 to 20') })
        .refine((v) => Number.isInteger(v) && v >= 1 && v <= 20, {
          error: got('a whole number from 1 to 20'),
        })
        .default(DEFAULT_MAX_ITERATIONS),
      /** The weighted score (0..1) a session needs, besides passing every required criterion. */
      passingScore: z
        .number({ error: got('a number above 0 and at most 1') })
        .refine((v) => v > 0 && v <= 1, { error: got('a number above 0 and at most 1') })
        .default(DEFAULT_PASSING_SCORE),
      criteria: z
        .array(criterionSchema, { error: got(`a list of 1 to ${MAX_CRITERIA} criteria`) })
        .min(1, { error: 'must list at least one criterion: an empty rubric grades nothing' })
        .max(MAX_CRITERIA, { error: `must list at most ${MAX_CRITERIA} criteria` }),
      /** How dreams may promote changes (see `promotionSchema`); absent: the environment's gate. */
      promotion: promotionSchema.optional(),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `is not a known field; allowed fields: ${definitionFields}`
          : got(`an object with fields ${definitionFields}`)(iss),
    },
  )
  .superRefine((def, ctx) => {
    const firstUse = new Map<string, number>();
    def.criteria.forEach((c, i) => {
      const earlier = firstUse.get(c.id);
      if (earlier !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['criteria', i, 'id'],
          message: `"${c.id}" is already the id of criteria[${earlier}]; ids must be unique`,
        });
      else firstUse.set(c.id, i);
      if (c.kind === 'bound') checkFactName(c.path, def.environment, ['criteria', i, 'path'], ctx);
    });
    (def.promotion?.holdCriteria ?? []).forEach((id, i) => {
      if (!firstUse.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['promotion', 'holdCriteria', i],
          message: `${showValue(id)} is not the id of a criterion; ids: ${[...firstUse.keys()].join(', ')}`,
        });
    });
  });

function checkFactName(
  path: string,
  environment: OutcomeEnvironment | undefined,
  at: PropertyKey[],
  ctx: z.RefinementCtx,
): void {
  const known = knownFactNames(environment);
  if (known.includes(path)) return;
  const scope = environment ?? 'any environment';
  ctx.addIssue({
    code: 'custom',
    path: at,
    message: `${showValue(path)} is not a known value for ${scope}; known: ${known.join(', ')}`,
  });
}

export type OutcomeDefinition = z.output<typeof outcomeDefinitionSchema>;
/** What a client may send (defaults left out). */
export type OutcomeDefinitionInput = z.input<typeof outcomeDefinitionSchema>;

/**
 * Validates an outcome definition (for example a `PUT /v1/agents/:id/outcome` body) and fills in
 * defaults, or throws `OutcomeError('invalid_outcome')` whose message names the first problem
 * (`criteria[0].weight: must be a positive number, got 0 (and 1 more)`) and whose `problems`
 * lists them all.
 */
export function parseOutcomeDefinition(input: unknown): OutcomeDefinition {
  const parsed = outcomeDefinitionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = toProblems(parsed.error.issues);
  throw new OutcomeError('invalid_outcome', summarizeProblems(problems), problems);
}
