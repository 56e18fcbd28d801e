import { setFlagsFromString } from 'node:v8';

/**
 * Regular expressions that tenants (and their agents' models) write run in Reverie's shared
 * processes: a playbook rule's `matches`, an outcome's `answer_regex`, a triage line rule, the
 * triager's `search` tool. A pattern such as `^(a+)+$` backtracks exponentially on a line of 30
 * `a`s and a `b`, and would hold a whole replica (every tenant's sessions) for minutes.
 *
 * Two defences:
 * - `guardBacktracking` turns on V8's linear-time engine as a fallback: a match that backtracks
 *   more than V8's threshold (50,000 backtracks) continues in the linear engine, with the same
 *   result. It covers every pattern that engine can run: no lookaround, back-reference, `i` or
 *   `u`/`v` flag (V8 11, Node 20).
 * - `patternRisk` refuses, where a tenant's pattern is accepted, the patterns that engine cannot
 *   run and that can backtrack without bound: back-references, and a repeated group that holds a
 *   repetition or an alternation (`(a+)+`, `(a|ab)*`, `(\w+\s?)+`). What it lets through of those
 *   patterns can still take polynomial time on a long line (`.*a.*b` with `i`).
 */

let guarded = false;

/** Turns on the linear-time fallback for this process (V8 flags are process-wide). Idempotent. */
export function guardBacktracking(): void {
  if (guarded) return;
  setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  // Lets `runsInLinearTime` ask V8 whether its linear engine can run a pattern (the `l` flag).
  setFlagsFromString('--enable-experimental-regexp-engine');
  guarded = true;
}

/** True when V8's linear-time engine can run `pattern` with `flags` (so the fallback covers it). */
export function runsInLinearTime(pattern: string, flags = ''): boolean {
  guardBacktracking();
  try {
    new RegExp(pattern, `${flags}l`);
    return true;
  } catch {
    return false;
  }
}

/**
 * A tenant's pattern compiled with the backtracking guard on. Throws as `new RegExp` does for a
 * pattern that does not compile; call `patternRisk` where the pattern is accepted.
 */
export function tenantRegExp(pattern: string, flags = ''): RegExp {
  guardBacktracking();
  return new RegExp(pattern, flags);
}

const QUANTIFIER = /^(?:[*+?]|\{\d+(?:,\d*)?\})/;

interface Group {
  /** The group holds a quantifier or an alternation (directly or in a nested group). */
  risky: boolean;
}

/**
 * Why `pattern` (with `flags`) could backtrack without bound and is refused, or null when it is
 * accepted. Patterns V8's linear engine can run are accepted (the fallback bounds them); others
 * are refused when they hold a back-reference, or a quantified group that holds a quantifier or
 * an alternation. A pattern that does not compile is not this function's business (null).
 */
export function patternRisk(pattern: string, flags = ''): string | null {
  try {
    new RegExp(pattern, flags);
  } catch {
    return null;
  }
  if (runsInLinearTime(pattern, flags)) return null;
  return scanForRisk(pattern);
}

/** The structural check of `patternRisk`, for patterns the linear engine cannot run. */
function scanForRisk(pattern: string): string | null {
  const stack: Group[] = [{ risky: false }];
  let i = 0;
  // What the last atom was: a group (with its riskiness) or anything else.
  let last: Group | null = null;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<'))
        return 'uses a back-reference, which can take exponential time; match the text itself instead';
      i += 2;
      last = null;
      continue;
    }
    if (c === '[') {
      i = skipClass(pattern, i);
      last = null;
      continue;
    }
    if (c === '(') {
      stack.push({ risky: false });
      i += pattern[i + 1] === '?' ? groupPrefixLength(pattern, i) : 1;
      last = null;
      continue;
    }
    if (c === ')') {
      const group = stack.pop() ?? { risky: false };
      if (group.risky) stack[stack.length - 1].risky = true;
      last = group;
      i++;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1].risky = true;
      last = null;
      i++;
      continue;
    }
    const q = QUANTIFIER.exec(pattern.slice(i));
    if (q) {
      if (q[0] !== '?' && last?.risky)
        return 'repeats a group that itself repeats or alternates (as (a+)+ or (a|ab)* do), which can take exponential time; simplify the group, or drop the lookaround or the i or u flag so that it runs in linear time';
      stack[stack.length - 1].risky = true;
      i += q[0].length;
      if (pattern[i] === '?') i++; // lazy
      last = null;
      continue;
    }
    last = null;
    i++;
  }
  return null;
}

/** The index after the character class starting at `start` (`[`). */
function skipClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}

/** Length of a group's opening: `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!`, `(?<name>`. */
function groupPrefixLength(pattern: string, start: number): number {
  if (pattern[start + 2] === '<' && pattern[start + 3] !== '=' && pattern[start + 3] !== '!') {
    const close = pattern.indexOf('>', start);
    return close > 0 ? close - start + 1 : 3;
  }
  return pattern[start + 2] === '<' ? 4 : 3;
}
