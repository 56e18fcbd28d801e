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
 *   run and that can backtrack without bound: back-references, a repeated group that holds a
 *   repetition or an alternation (`(a+)+`, `(a|ab)*`, `(\w+\s?)+`), more than one unbounded
 *   repetition (`^(?!x).*.*z$` takes minutes on a line of 3,000 characters: each further `.*`
 *   multiplies the work by the line's length), and more than `MAX_BACKTRACKING_PARTS` optional or
 *   repeated parts (`(?=a)a?a?…a?aa…ab`, 32 of each, takes minutes on 64 characters: each `a?`
 *   doubles the work).
 * - A pattern the linear engine cannot run is matched against the first
 *   `MAX_BACKTRACKING_TEXT` characters of a text only: even one unbounded repetition beside a
 *   lookaround costs the square of the text's length (`(?=x)x*\d` takes a minute on one line of
 *   200,000 characters), which the cap bounds.
 *
 * The `i` flag alone would keep most patterns from the linear engine, so a case-insensitive
 * pattern is rewritten to match both cases itself (`error` as `[eE][rR][rR][oO][rR]`, `[a-f]` as
 * `[a-fA-F]`) and runs without the flag, the same matches with the fallback's bound.
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

/** How many characters of a text a pattern the linear engine cannot run is matched against. */
export const MAX_BACKTRACKING_TEXT = 2_000;

/** How many optional or repeated parts a pattern the linear engine cannot run may have. */
export const MAX_BACKTRACKING_PARTS = 3;

/**
 * A pattern that backtracks (the linear engine cannot run it), matched against the first
 * `MAX_BACKTRACKING_TEXT` characters of a text. `test`, `match`, `matchAll`, `replace` and
 * `split` all match through `exec`.
 */
class BoundedRegExp extends RegExp {
  override exec(text: string): RegExpExecArray | null {
    const s = String(text);
    return super.exec(s.length > MAX_BACKTRACKING_TEXT ? s.slice(0, MAX_BACKTRACKING_TEXT) : s);
  }
}

/**
 * A tenant's pattern compiled with the backtracking guard on; one the linear engine cannot run
 * (a lookaround, the `u` flag) sees the first `MAX_BACKTRACKING_TEXT` characters of a text only.
 * Throws as `new RegExp` does for a pattern that does not compile; call `patternRisk` where the
 * pattern is accepted.
 */
export function tenantRegExp(pattern: string, flags = ''): RegExp {
  guardBacktracking();
  const folded = linearFolding(pattern, flags);
  if (folded) return new RegExp(folded.pattern, folded.flags);
  if (runsInLinearTime(pattern, flags)) return new RegExp(pattern, flags);
  return new BoundedRegExp(pattern, flags);
}

/**
 * A case-insensitive pattern rewritten to match both cases itself, without the `i` flag, when
 * the linear engine can run the rewrite (and could not run the original); otherwise undefined.
 */
function linearFolding(
  pattern: string,
  flags: string,
): { pattern: string; flags: string } | undefined {
  if (!flags.includes('i') || runsInLinearTime(pattern, flags)) return undefined;
  const folded = caseFolded(pattern, flags);
  const rest = flags.replace('i', '');
  return folded !== null && runsInLinearTime(folded, rest)
    ? { pattern: folded, flags: rest }
    : undefined;
}

const UPPER = (c: number) => c >= 65 && c <= 90;
const LOWER = (c: number) => c >= 97 && c <= 122;
/** Escapes whose meaning the `i` flag does not change (`\w` is `[A-Za-z0-9_]` either way). */
const CASELESS_ESCAPES = new Set([...'dDwWsSbBnrtvf0']);

/**
 * `pattern` (compiled with `i`, without `u` or `v`) written so that it matches the same without
 * `i`: each ASCII letter as a class of both cases, each class with the other case of its letters
 * and ranges added. Null where the rewrite could change what matches: a back-reference (compared
 * ignoring case), a letter written as an escape (`\x41`, `\u0041`, `\cJ`), a letter outside
 * ASCII (whose case mapping the flag defines), the `u` or `v` flag.
 */
export function caseFolded(pattern: string, flags = 'i'): string | null {
  if (/[uv]/.test(flags)) return null;
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9k]/.test(next)) return null;
      if (/[a-zA-Z]/.test(next) && !CASELESS_ESCAPES.has(next)) return null;
      out += c + next;
      i += 2;
    } else if (c === '[') {
      // `[]` matches nothing and `[^]` anything, which the class reader does not know.
      if (pattern.startsWith('[]', i) || pattern.startsWith('[^]', i)) return null;
      const end = skipClass(pattern, i);
      const folded = foldedClass(pattern.slice(i, end));
      if (folded === null) return null;
      out += folded;
      i = end;
    } else if (c === '(' && pattern[i + 1] === '?') {
      // A group's opening: `(?<name>` keeps its name as written.
      const length = groupPrefixLength(pattern, i);
      out += pattern.slice(i, i + length);
      i += length;
    } else {
      const code = c.charCodeAt(0);
      if (code > 127 && c.toLowerCase() !== c.toUpperCase()) return null;
      out += UPPER(code) || LOWER(code) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
      i++;
    }
  }
  return out;
}

/**
 * A class (`[...]`, brackets included) with the other case of its ASCII letters and ranges. The
 * class is written again atom by atom, a literal `-` as `\-`, so that the letters added at its
 * end cannot make a range with a `-` that ended it (`[Z-]` must not become `[Z-z]`).
 */
function foldedClass(cls: string): string | null {
  const negated = cls[1] === '^';
  const body = cls.slice(negated ? 2 : 1, -1);
  let written = '';
  let added = '';
  let i = 0;
  const atom = (): { text: string; code: number | null } | null => {
    const c = body[i];
    if (c === '\\') {
      const next = body[i + 1] ?? '';
      if (/[a-zA-Z0-9]/.test(next) && !CASELESS_ESCAPES.has(next)) return null;
      i += 2;
      // A class escape (`\w`) is no range end; an escaped character (`\]`) stands for itself.
      return { text: c + next, code: /[a-zA-Z0-9]/.test(next) ? null : next.charCodeAt(0) };
    }
    i++;
    return { text: c, code: c.charCodeAt(0) };
  };
  while (i < body.length) {
    const from = atom();
    if (from === null) return null;
    if (body[i] === '-' && i + 1 < body.length) {
      i++;
      const to = atom();
      if (to === null || from.code === null || to.code === null) return null;
      if (to.code > 127) return null;
      written += `${from.text}-${to.text}`;
      added +=
        swappedRange(from.code, to.code, 65, 90, 32) +
        swappedRange(from.code, to.code, 97, 122, -32);
      continue;
    }
    written += from.text === '-' ? '\\-' : from.text;
    if (from.code === null) continue;
    if (from.code > 127 && from.text.toLowerCase() !== from.text.toUpperCase()) return null;
    if (UPPER(from.code) || LOWER(from.code))
      added += from.code < 97 ? from.text.toLowerCase() : from.text.toUpperCase();
  }
  return `[${negated ? '^' : ''}${written}${added}]`;
}

/** The part of `lo-hi` inside `[first, last]`, moved by `shift` (to the other case), or ''. */
function swappedRange(lo: number, hi: number, first: number, last: number, shift: number): string {
  const a = Math.max(lo, first);
  const b = Math.min(hi, last);
  if (a > b) return '';
  const from = String.fromCharCode(a + shift);
  return a === b ? from : `${from}-${String.fromCharCode(b + shift)}`;
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
  if (runsInLinearTime(pattern, flags) || linearFolding(pattern, flags)) return null;
  return scanForRisk(pattern);
}

/** The structural check of `patternRisk`, for patterns the linear engine cannot run. */
function scanForRisk(pattern: string): string | null {
  const stack: Group[] = [{ risky: false }];
  let i = 0;
  // What the last atom was: a group (with its riskiness) or anything else.
  let last: Group | null = null;
  let unbounded = 0;
  let parts = 0;
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
      if (q[0] !== '?' && !/^\{\d+(?:,\d+)?\}$/.test(q[0]) && ++unbounded > 1)
        return 'repeats without bound more than once (as .*x.* does) and cannot run in linear time (a lookaround, a back-reference or the u flag), which takes minutes on a long line; keep one unbounded repetition, or drop the lookaround';
      if (variable(q[0]) && ++parts > MAX_BACKTRACKING_PARTS)
        return `has more than ${MAX_BACKTRACKING_PARTS} optional or repeated parts (as a?a?a?a? does) and cannot run in linear time (a lookaround, a back-reference or the u flag), which can take exponential time; drop parts, or the lookaround`;
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

/** A quantifier that can match more than one number of times (`?`, `*`, `{1,3}`; not `{2}`). */
function variable(q: string): boolean {
  const exact = /^\{(\d+)(?:,(\d+))?\}$/.exec(q);
  return !exact || (exact[2] !== undefined && exact[2] !== exact[1]);
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
