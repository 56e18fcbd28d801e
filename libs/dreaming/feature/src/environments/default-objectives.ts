import { parseOutcomeDefinition, type OutcomeDefinition } from '@reverie/outcomes-domain';

/**
 * The rubrics a dream optimises when the agent has no outcome definition of its own (the report
 * says so). An agent's own definition (`PUT /v1/agents/:id/outcome`) always wins.
 */

/**
 * A landing counts when it is safe, near the planned site and within a fuel allowance; a dream
 * may not promote a change that lands fewer safely on validation (`promotion.holdCriteria`).
 */
export const LANDER_DEFAULT_OBJECTIVE: OutcomeDefinition = parseOutcomeDefinition({
  description:
    'Land safely within 50 m of the planned site, burning at most 2x the vertical-descent fuel limit',
  environment: 'lunar-lander',
  maxIterations: 1,
  passingScore: 0.8,
  criteria: [
    {
      id: 'safe',
      kind: 'bound',
      path: 'touchdown.safe',
      op: 'eq',
      value: true,
      required: true,
      weight: 2,
    },
    {
      id: 'near-site',
      kind: 'bound',
      path: 'touchdown.distance_to_site',
      op: 'lte',
      value: 50,
      required: true,
    },
    { id: 'frugal', kind: 'bound', path: 'fuel.over_limit', op: 'lte', value: 2, required: true },
  ],
  // No fuel saved and no landing won pays for one that is no longer safe.
  promotion: { holdCriteria: ['safe'] },
});

/** A triage answer counts when its line-level F1 against the labelled lines reaches 0.7. */
export const TRIAGE_DEFAULT_OBJECTIVE: OutcomeDefinition = parseOutcomeDefinition({
  description: 'Answer with the lines of the failed build log that explain the failure (line F1)',
  environment: 'ci-log-triage',
  maxIterations: 1,
  passingScore: 0.7,
  criteria: [{ id: 'line-f1', kind: 'label_match', metric: 'f1', min: 0.7, required: true }],
});
