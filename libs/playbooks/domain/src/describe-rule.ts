import type { Action, Condition, Rule, Scalar } from './condition.schema';

const OP_TEXT = { eq: '=', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

const scalar = (v: Scalar) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/**
 * A condition as one readable line, e.g. `altitude < 50 and (speed > 3 or not radar exists)`.
 * Parentheses only where the grouping would otherwise be ambiguous.
 */
export function describeCondition(c: Condition): string {
  const nested = (inner: Condition) =>
    ('all' in inner && inner.all.length > 1) || ('any' in inner && inner.any.length > 1)
      ? `(${describeCondition(inner)})`
      : describeCondition(inner);
  if ('all' in c) return c.all.map(nested).join(' and ');
  if ('any' in c) return c.any.map(nested).join(' or ');
  if ('not' in c) return `not ${nested(c.not)}`;
  switch (c.op) {
    case 'exists':
      return `${c.feature} exists`;
    case 'in':
      return `${c.feature} in [${(c.value as Scalar[]).map(scalar).join(', ')}]`;
    case 'matches':
      return `${c.feature} matches /${String(c.value)}/`;
    default:
      return `${c.feature} ${OP_TEXT[c.op]} ${scalar(c.value as Scalar)}`;
  }
}

/** `set_throttle(level=0.8, hold=true)`; `flag_lines` when there are no parameters. */
export function describeAction(a: Action): string {
  const params = Object.entries(a.params ?? {});
  return params.length
    ? `${a.action}(${params.map(([k, v]) => `${k}=${scalar(v)}`).join(', ')})`
    : a.action;
}

export function describeRule(rule: Rule): string {
  return `when ${describeCondition(rule.when)}, then ${describeAction(rule.then)}`;
}
