import { matchingRules, type PlaybookRule, type Scalar } from '@reverie/playbooks-domain';
import type { Features } from '@reverie/playbooks-domain';

/**
 * How a role follows its playbook's structured rules. Every role has named numeric parameters
 * (gains, limits, altitudes) with day-one defaults; a rule whose `when` holds at a step either
 * sets parameters for that step (`then: { action: 'set', params: {...} }`) or takes one of the
 * role's own actions (`set_throttle`, `retarget`, ...). Rules are checked once when a run starts
 * and an unusable one is skipped with its reason, never silently.
 */
export interface RoleRuleSpace {
  role: string;
  /** Parameter name → what it means (for docs, model prompts and the dreamer's search). */
  params: Readonly<Record<string, string>>;
  /** Action name → its parameters (name → meaning). */
  actions: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** What is wrong with an action's parameter values, or null (names are checked already). */
  check?(action: string, params: Readonly<Record<string, Scalar>>): string | null;
}

export interface SkippedRule {
  entryId: string;
  reason: string;
}

/** A rule that fired at a step, as the session records it. */
export interface AppliedRule {
  entryId: string;
  action: string;
  params: Record<string, Scalar>;
}

export interface CompiledRules {
  rules: PlaybookRule[];
  skipped: SkippedRule[];
}

/** Keeps the rules a role can follow; the others are returned with the reason. */
export function compileRoleRules(
  space: RoleRuleSpace,
  rules: readonly PlaybookRule[],
): CompiledRules {
  const kept: PlaybookRule[] = [];
  const skipped: SkippedRule[] = [];
  for (const rule of rules) {
    const problem = ruleProblem(space, rule);
    if (problem) skipped.push({ entryId: rule.entryId, reason: problem });
    else kept.push(rule);
  }
  return { rules: kept, skipped };
}

function ruleProblem(space: RoleRuleSpace, rule: PlaybookRule): string | null {
  const { action, params = {} } = rule.then;
  if (action === 'set') {
    const names = Object.keys(params);
    if (!names.length) return 'a "set" rule must set at least one parameter';
    for (const name of names) {
      if (!(name in space.params))
        return `the ${space.role} has no parameter "${name}"; it has ${Object.keys(space.params).join(', ')}`;
      const v = params[name];
      if (typeof v !== 'number' || !Number.isFinite(v))
        return `parameter "${name}" must be a finite number, got ${JSON.stringify(v)}`;
    }
    return null;
  }
  const known = space.actions[action];
  if (!known)
    return `the ${space.role} has no action "${action}"; it has set, ${Object.keys(space.actions).join(', ')}`;
  const extra = Object.keys(params).filter((p) => !(p in known));
  if (extra.length) return `action "${action}" takes no parameter ${extra.join(', ')}`;
  return space.check?.(action, params) ?? null;
}

/**
 * The parameters in force at one step (defaults overridden by every matching `set` rule, later
 * rules winning) and the other actions the matching rules ask for, in playbook order.
 */
export function evaluateRoleRules<P extends Record<string, number>>(
  compiled: CompiledRules,
  features: Features,
  defaults: P,
): { params: P; actions: AppliedRule[]; applied: AppliedRule[] } {
  const params = { ...defaults } as Record<string, number>;
  const actions: AppliedRule[] = [];
  const applied: AppliedRule[] = [];
  for (const rule of matchingRules(compiled.rules, features)) {
    const effect = {
      entryId: rule.entryId,
      action: rule.then.action,
      params: { ...(rule.then.params ?? {}) },
    };
    applied.push(effect);
    if (effect.action === 'set') Object.assign(params, effect.params);
    else actions.push(effect);
  }
  return { params: params as P, actions, applied };
}
