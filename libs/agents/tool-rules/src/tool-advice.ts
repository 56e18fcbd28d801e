import { matchingRules, type PlaybookRule } from '@reverie/playbooks-domain';
import { argShape, type CallFeatures } from './call-features';

/**
 * The actions a playbook rule about tool calls may take, in any environment. An agent that obeys
 * its playbook evaluates the rules of its role before each call (`adviceBefore`) and after each
 * failed call (`adviceOnError`).
 */
export const TOOL_ACTIONS = {
  /** Before this call, call `params.tool` (unless it already succeeded in the session). */
  callFirst: 'call_first',
  /** Rewrite argument `params.arg` into the shape `params.shape` (e.g. `dddd-dd-dd`). */
  reshapeArg: 'reshape_arg',
  /** After this error, wait `params.wait_ms` then retry, at most `params.max_retries` times. */
  retryAfter: 'retry_after',
} as const;

export interface BeforeCallAdvice {
  /** Tools to call first, in rule order. */
  callFirst: string[];
  /** Argument name → the shape to write it in. */
  reshape: Map<string, string>;
  /** The entries whose rules matched (so the agent can report them as applied). */
  entryIds: string[];
}

export interface OnErrorAdvice {
  /** Wait this long, then retry; null: no rule says to retry. */
  waitMs: number | null;
  maxRetries: number;
  entryIds: string[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** What the rules say to do before a call with these features. */
export function adviceBefore(
  rules: readonly PlaybookRule[],
  features: CallFeatures,
): BeforeCallAdvice {
  const advice: BeforeCallAdvice = { callFirst: [], reshape: new Map(), entryIds: [] };
  for (const rule of matchingRules(rules, features)) {
    const p = rule.then.params ?? {};
    if (rule.then.action === TOOL_ACTIONS.callFirst && str(p.tool)) {
      const tool = str(p.tool)!;
      if (features[`prior.${tool}`] === true || advice.callFirst.includes(tool)) continue;
      advice.callFirst.push(tool);
      advice.entryIds.push(rule.entryId);
    } else if (rule.then.action === TOOL_ACTIONS.reshapeArg && str(p.arg) && str(p.shape)) {
      if (advice.reshape.has(str(p.arg)!)) continue;
      advice.reshape.set(str(p.arg)!, str(p.shape)!);
      advice.entryIds.push(rule.entryId);
    }
  }
  return advice;
}

/** What the rules say to do after a failed call with these features (see `errorFeatures`). */
export function adviceOnError(
  rules: readonly PlaybookRule[],
  features: CallFeatures,
): OnErrorAdvice {
  for (const rule of matchingRules(rules, features)) {
    if (rule.then.action !== TOOL_ACTIONS.retryAfter) continue;
    const p = rule.then.params ?? {};
    return {
      waitMs: Math.max(0, num(p.wait_ms) ?? 1_000),
      maxRetries: Math.max(1, Math.min(5, num(p.max_retries) ?? 2)),
      entryIds: [rule.entryId],
    };
  }
  return { waitMs: null, maxRetries: 0, entryIds: [] };
}

/** Runs of one class: digits, letters, or anything else (`shape` uses `d` for digits, `A`/`a` for letters). */
function runs(s: string, isShape: boolean): string[] {
  const pattern = isShape ? /d+|[Aa]+|[^dAa]+/g : /[0-9]+|[A-Za-z]+|[^0-9A-Za-z]+/g;
  return s.match(pattern) ?? [];
}

const isSlot = (r: string, isShape: boolean) => (isShape ? /^[dAa]+$/ : /^[0-9A-Za-z]+$/).test(r);

/**
 * Rewrites `value` into `shape` where the same digits and letters can fill it: digit runs move
 * into the slots of their length (in reverse order among runs of one length, so `14/03/2027`
 * becomes `2027-03-14`), letters change case, separators follow the shape. Returns null when the
 * value cannot be put in that shape (the agent then leaves it as it was).
 */
export function reshapeValue(value: string, shape: string): string | null {
  if (argShape(value) === shape) return value;
  const target = runs(shape, true);
  const source = runs(value, false).filter((r) => isSlot(r, false));
  if (target.filter((r) => isSlot(r, true)).length !== source.length) return null;
  const digitsByLength = new Map<number, string[]>();
  for (const g of source.filter((g) => /^[0-9]+$/.test(g)).reverse())
    digitsByLength.set(g.length, [...(digitsByLength.get(g.length) ?? []), g]);
  const letters = source.filter((g) => /^[A-Za-z]+$/.test(g));
  const out = target.map((slot) => {
    if (!isSlot(slot, true)) return slot;
    if (/^d+$/.test(slot)) return digitsByLength.get(slot.length)?.shift() ?? '?';
    const word = letters.shift() ?? '?';
    return /^A+$/.test(slot) ? word.toUpperCase() : /^a+$/.test(slot) ? word.toLowerCase() : word;
  });
  const result = out.join('');
  return argShape(result) === shape ? result : null;
}
