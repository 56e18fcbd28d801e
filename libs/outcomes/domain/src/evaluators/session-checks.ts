import type { CriterionOf } from '../criterion.schema';
import type { Facts } from '../fact-types';
import { costUsd, DEFAULT_MODEL_PRICE, priceOf } from '../token-pricing';
import { checked, type Verdict } from './evaluation';

const MAX_LISTED_STEPS = 20;

/** `tool`: a tool call or action of that name happened (or did not). */
export function evaluateTool(c: CriterionOf<'tool'>, facts: Facts): Verdict {
  const calls = facts.toolCalls.filter((t) => t.name === c.tool);
  const steps = [...new Set(calls.flatMap((t) => (t.step === null ? [] : [t.step])))].slice(
    0,
    MAX_LISTED_STEPS,
  );
  const where = steps.length ? ` (step${steps.length > 1 ? 's' : ''} ${steps.join(', ')})` : '';
  const times = `${calls.length} time${calls.length === 1 ? '' : 's'}`;
  if (c.expect === 'called')
    return calls.length
      ? checked(true, `${c.tool} was called ${times}${where}`, steps)
      : checked(false, `${c.tool} was never called`);
  return calls.length
    ? checked(false, `${c.tool} was called ${times}${where} but must not be`, steps)
    : checked(true, `${c.tool} was not called`);
}

/** `step_limit`: the highest step is within the limit. */
export function evaluateStepLimit(c: CriterionOf<'step_limit'>, facts: Facts): Verdict {
  const passed = facts.steps <= c.maxSteps;
  return passed
    ? checked(true, `the session took ${facts.steps} steps, within the limit of ${c.maxSteps}`)
    : checked(
        false,
        `the session took ${facts.steps} steps, over the limit of ${c.maxSteps} (step ${facts.steps})`,
        [facts.steps],
      );
}

/** Dollars: cents from $1 up, four decimals below (`$0.0195`). */
const usd = (v: number) => `$${Number(v.toFixed(v >= 1 ? 2 : 4))}`;
const count = (v: number) => v.toLocaleString('en-US');

/**
 * `token_budget`: total tokens (all kinds) and/or cost in USD (MODEL_PRICES) within the budget.
 * A broken budget names the step of the model call that crossed it.
 */
export function evaluateTokenBudget(c: CriterionOf<'token_budget'>, facts: Facts): Verdict {
  let tokens = 0;
  let cost = 0;
  let tokensCrossedAt: number | null | undefined;
  let costCrossedAt: number | null | undefined;
  const unpriced = new Set<string>();
  for (const call of facts.modelCalls) {
    const { price, known } = priceOf(call.provider, call.model);
    if (!known) unpriced.add(call.model);
    tokens += call.usage.total;
    cost += costUsd(call.usage, price);
    if (c.maxTokens !== undefined && tokens > c.maxTokens && tokensCrossedAt === undefined)
      tokensCrossedAt = call.step;
    if (c.maxCostUsd !== undefined && cost > c.maxCostUsd && costCrossedAt === undefined)
      costCrossedAt = call.step;
  }
  const crossed = (step: number | null | undefined) =>
    step === undefined
      ? ''
      : `, crossed at ${step === null ? 'a call without a step' : `step ${step}`}`;
  const parts: string[] = [];
  let passed = true;
  if (c.maxTokens !== undefined) {
    const ok = tokens <= c.maxTokens;
    passed &&= ok;
    parts.push(
      `${count(tokens)} tokens ${ok ? 'within' : 'over'} the budget of ${count(c.maxTokens)}${crossed(tokensCrossedAt)}`,
    );
  }
  if (c.maxCostUsd !== undefined) {
    const ok = cost <= c.maxCostUsd;
    passed &&= ok;
    parts.push(
      `${usd(cost)} ${ok ? 'within' : 'over'} the budget of ${usd(c.maxCostUsd)}${crossed(costCrossedAt)}`,
    );
    if (unpriced.size)
      parts.push(
        `${[...unpriced].join(', ')} priced at the default rate ($${DEFAULT_MODEL_PRICE.input}/$${DEFAULT_MODEL_PRICE.output} per million input/output tokens)`,
      );
  }
  const calls = `${facts.modelCalls.length} model call${facts.modelCalls.length === 1 ? '' : 's'}`;
  return checked(passed, `${calls}: ${parts.join('; ')}`, [tokensCrossedAt, costCrossedAt]);
}
