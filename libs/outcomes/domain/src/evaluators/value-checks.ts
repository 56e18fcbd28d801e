import { tenantRegExp } from '@reverie/patterns';
import type { CriterionOf } from '../criterion.schema';
import { compare, formatValue, OP_WORDS, typeName } from '../compare';
import { factInfo } from '../fact-names';
import type { Facts } from '../fact-types';
import { lookupJsonPath, parseJsonPath } from '../json-path';
import { atStep, checked, type Verdict } from './evaluation';

/**
 * `bound`: a fact against a limit, e.g. "vertical speed 4.2 m/s at touchdown (step 131) is above
 * 3 m/s". A fact the session lacks fails, saying why it is absent.
 */
export function evaluateBound(c: CriterionOf<'bound'>, facts: Facts): Verdict {
  const info = factInfo(c.path);
  const label = info?.label ?? c.path;
  if (!Object.hasOwn(facts.values, c.path)) {
    const why = facts.absent[c.path] ?? 'the session did not record it';
    return checked(false, `${label} (${c.path}) is absent: ${why}`);
  }
  const observed = facts.values[c.path];
  const step = facts.pointers[c.path];
  const held = compare(observed, c.op, c.value);
  const when = info?.when ? ` ${info.when}` : '';
  if (typeof observed === 'boolean' && typeof c.value === 'boolean') {
    // "safe touchdown (step 55) is false, not true" reads better than comparing two booleans.
    const held = compare(observed, c.op, c.value) === true;
    const wanted = c.op === 'eq' ? `not ${c.value}` : `which it must not be`;
    return checked(
      held,
      `${label}${when}${atStep(step)} is ${observed}${held ? '' : `, ${wanted}`}`,
      [step],
    );
  }
  const subject = `${label} ${formatValue(observed, info?.unit)}${when}${atStep(step)}`;
  if (held === null)
    return checked(
      false,
      `${subject} is ${typeName(observed)}, not a number: cannot be compared with ${c.op}`,
      [step],
    );
  const words = held ? OP_WORDS[c.op].held : OP_WORDS[c.op].broke;
  return checked(held, `${subject} ${words} ${formatValue(c.value, info?.unit)}`, [step]);
}

/** `answer_path`: a value inside the final answer's JSON against a limit. */
export function evaluateAnswerPath(c: CriterionOf<'answer_path'>, facts: Facts): Verdict {
  const answer = facts.finalAnswer;
  if (answer.json === null)
    return checked(
      false,
      answer.text === null
        ? 'the session gave no final answer'
        : `the final answer${atStep(answer.step)} is not JSON, so ${c.path} cannot be read`,
    );
  const steps = parseJsonPath(c.path) ?? [];
  const found = lookupJsonPath(answer.json, steps);
  if (!found.found)
    return checked(
      false,
      `${c.path} is absent from the final answer${atStep(answer.step)}: ${found.reason}`,
      [answer.step],
    );
  const held = compare(found.value, c.op, c.value);
  const subject = `${c.path} = ${formatValue(found.value)} in the final answer${atStep(answer.step)}`;
  if (held === null)
    return checked(
      false,
      `${subject} is ${typeName(found.value)}, not a number: cannot be compared with ${c.op}`,
      [answer.step],
    );
  const words = held ? OP_WORDS[c.op].held : OP_WORDS[c.op].broke;
  return checked(held, `${subject} ${words} ${formatValue(c.value)}`, [answer.step]);
}

/** `answer_regex`: the final answer's text matches (or must not match) a pattern. */
export function evaluateAnswerRegex(c: CriterionOf<'answer_regex'>, facts: Facts): Verdict {
  const answer = facts.finalAnswer;
  const shown = `/${c.pattern}/${c.flags ?? ''}`;
  if (answer.text === null)
    return checked(false, `the session gave no final answer to match ${shown} against`);
  const match = tenantRegExp(c.pattern, c.flags).exec(answer.text);
  const where = `the final answer${atStep(answer.step)}`;
  const passed = c.expect === 'match' ? match !== null : match === null;
  const text = match
    ? `${where} matches ${shown} at ${formatValue(match[0])}`
    : `${where} does not match ${shown}`;
  return checked(passed, c.expect === 'no_match' && match ? `${text}, and must not` : text, [
    answer.step,
  ]);
}
