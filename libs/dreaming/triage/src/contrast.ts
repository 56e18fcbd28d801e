import {
  computeLineFeatures,
  extractWithLineRules,
  RULE_CONDITIONS,
  scoreAnswer,
  toLineRules,
  type LineFeatures,
} from '@reverie/ci-log-triage';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import type { LabelledCase } from './evaluate';

/** What the current rules got wrong on one training case (1-based line numbers). */
export interface CaseContrast {
  caseId: string;
  f1: number;
  /** Labelled lines the extractor did not select. */
  missed: number[];
  /** Selected lines that are not labelled. */
  falsePositives: number[];
}

/** Which mistakes a test would address: include missed lines, or exclude false positives. */
export type ContrastTarget = 'missed' | 'falsePositive';

/** A feature test (playbook condition form) and how well it separates one kind of mistake. */
export interface ContrastTest {
  feature: keyof LineFeatures | 'selected';
  op: 'eq' | 'lte' | 'gte' | 'matches';
  value: string | number | boolean;
  target: ContrastTarget;
  /** Target lines the test matches. */
  lines: number;
  /** Cases with at least one matched target line. */
  cases: string[];
  /** Lines the test matches that acting on would hurt: unselected unlabelled lines for
   * `missed` (an include would add them), selected labelled lines for `falsePositive`. */
  against: number;
}

/** The current rules' mistakes on the training cases and the tests that separate them. */
export interface Contrast {
  cases: CaseContrast[];
  /** `text matches` tests generalised from the mistaken lines, best first. */
  patterns: ContrastTest[];
  /** Tests on the other features of `RULE_CONDITIONS`, best first. */
  features: ContrastTest[];
}

export interface ContrastOptions {
  /** A pattern must occur in mistaken lines of at least this many cases. */
  minCases: number;
  /** Keep at most this many patterns per target. */
  maxPatterns: number;
}

export const DEFAULT_CONTRAST: ContrastOptions = { minCases: 2, maxPatterns: 24 };

interface Observed {
  caseId: string;
  features: LineFeatures[];
  selected: Set<number>;
  labelled: Set<number>;
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT[\d:.]+Z ?/;
const TS_PREFIX = '^(?:\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ?)?';
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Generalised patterns for one line: its leading tag (`^\[ERROR\]`, `^##\[error\]`), its first
 * plain words (`^\s*bad class file`), and runs of one to three plain words anywhere
 * (`Exception\b` from `FooException`, `marked build as`). Numbers, paths and identifiers are
 * never copied: tokens with digits, dots or slashes end a run, so no whole line is reproduced.
 */
export function linePatterns(text: string): string[] {
  const stamped = TIMESTAMP.test(text);
  const body = text.replace(TIMESTAMP, '');
  const start = stamped ? TS_PREFIX : '^';
  const out = new Set<string>();
  const tag = /^(##)?\[[A-Za-z]+\]/.exec(body);
  if (tag) out.add(start + escape(tag[0]));
  const lead = /^\s*([A-Za-z]+(?: [A-Za-z]+){0,2}:?)(?=\s|$)/.exec(body);
  if (lead && !tag)
    out.add(
      `${start}${/^\s/.test(body) ? '\\s+' : ''}${escape(lead[1])}${/:$/.test(lead[1]) ? '' : '\\b'}`,
    );
  for (const m of body.matchAll(/[A-Za-z]*?(Exception|Error)(:|\b)/g))
    out.add(escape(m[1] + m[2]) + (m[2] ? '' : '\\b'));
  const words = body.split(/\s+/);
  for (let i = 0; i < words.length; i++) {
    for (let n = 1; n <= 3 && i + n <= words.length; n++) {
      const run = words.slice(i, i + n);
      if (!run.every((w) => /^[A-Za-z]{2,}:?$/.test(w))) break;
      if (run.slice(0, -1).some((w) => w.endsWith(':'))) break;
      if (n === 1 && run[0].replace(':', '').length < 5) continue;
      out.add(`\\b${escape(run.join(' '))}${run[n - 1].endsWith(':') ? '' : '\\b'}`);
    }
  }
  return [...out];
}

/** Runs the extractor with `current` on each case and keeps what it saw and chose. */
function observe(cases: readonly LabelledCase[], current: readonly PlaybookRule[]): Observed[] {
  const { rules } = toLineRules(current);
  return cases.map((c) => {
    const selected = new Set<number>();
    for (const r of extractWithLineRules(c, rules).answer)
      for (let n = r.start; n <= r.end; n++) selected.add(n);
    const labelled = new Set<number>();
    for (const r of c.errorRanges) for (let n = r.start; n <= r.end; n++) labelled.add(n);
    return { caseId: c.id, features: computeLineFeatures(c), selected, labelled };
  });
}

type LineFilter = (o: Observed, f: LineFeatures) => boolean;
const isTarget = (t: ContrastTarget): LineFilter =>
  t === 'missed'
    ? (o, f) => o.labelled.has(f.lineNumber) && !o.selected.has(f.lineNumber)
    : (o, f) => !o.labelled.has(f.lineNumber) && o.selected.has(f.lineNumber);
const isAgainst = (t: ContrastTarget): LineFilter =>
  t === 'missed'
    ? (o, f) => !o.labelled.has(f.lineNumber) && !o.selected.has(f.lineNumber)
    : (o, f) => o.labelled.has(f.lineNumber) && o.selected.has(f.lineNumber);

/** Counts a line test on target and against lines. */
function measure(
  observed: readonly Observed[],
  target: ContrastTarget,
  test: (f: LineFeatures, selected: boolean) => boolean,
): Pick<ContrastTest, 'lines' | 'cases' | 'against'> {
  const [inTarget, inAgainst] = [isTarget(target), isAgainst(target)];
  let lines = 0;
  let against = 0;
  const cases = new Set<string>();
  for (const o of observed)
    for (const f of o.features) {
      if (!test(f, o.selected.has(f.lineNumber))) continue;
      if (inTarget(o, f)) {
        lines++;
        cases.add(o.caseId);
      } else if (inAgainst(o, f)) against++;
    }
  return { lines, cases: [...cases], against };
}

const better = (a: ContrastTest, b: ContrastTest) =>
  b.cases.length - a.cases.length || b.lines - b.against - (a.lines - a.against);

/**
 * The contrastive step of reflection: what the current rules missed and wrongly kept on the
 * training cases, and which tests of the general rule space (`RULE_CONDITIONS`: regexes over the
 * text, the boolean features, ranges over positions and indent) tell those lines apart.
 */
export function contrastLines(
  cases: readonly LabelledCase[],
  current: readonly PlaybookRule[],
  options: ContrastOptions = DEFAULT_CONTRAST,
): Contrast {
  const observed = observe(cases, current);
  const caseContrasts = observed.map((o, i): CaseContrast => {
    const sel = [...o.selected];
    return {
      caseId: o.caseId,
      f1: scoreAnswer(
        sel.map((n) => ({ start: n, end: n })),
        cases[i].errorRanges,
      ).f1,
      missed: [...o.labelled].filter((n) => !o.selected.has(n)).sort((a, b) => a - b),
      falsePositives: sel.filter((n) => !o.labelled.has(n)).sort((a, b) => a - b),
    };
  });
  const patterns: ContrastTest[] = [];
  const features: ContrastTest[] = [];
  for (const target of ['missed', 'falsePositive'] as const) {
    const inTarget = isTarget(target);
    const support = new Map<string, Set<string>>();
    const targets: LineFeatures[] = [];
    for (const o of observed)
      for (const f of o.features) {
        if (!inTarget(o, f)) continue;
        targets.push(f);
        for (const p of linePatterns(f.text))
          (support.get(p) ?? support.set(p, new Set()).get(p))?.add(o.caseId);
      }
    const frequent = [...support]
      .filter(([, s]) => s.size >= options.minCases)
      .sort((a, b) => b[1].size - a[1].size)
      .slice(0, options.maxPatterns * 3);
    patterns.push(
      ...frequent
        .map(([p]): ContrastTest => {
          const re = new RegExp(p);
          return {
            feature: 'text',
            op: 'matches',
            value: p,
            target,
            ...measure(observed, target, (f) => re.test(f.text)),
          };
        })
        .sort(better)
        .slice(0, options.maxPatterns),
    );
    if (!targets.length) continue;
    for (const c of RULE_CONDITIONS) {
      if (c.kind === 'boolean') {
        for (const value of [true, false]) {
          const test =
            c.key === 'selected'
              ? (_f: LineFeatures, s: boolean) => s === value
              : (f: LineFeatures) => f[c.key as 'isBlank'] === value;
          const m = measure(observed, target, test);
          if (m.lines * 2 > targets.length)
            features.push({ feature: c.key, op: 'eq', value, target, ...m });
        }
      } else if (c.kind === 'range') {
        const key = c.key;
        const values = targets
          .map((f) => f[key])
          .filter(Number.isFinite)
          .sort((a, b) => a - b);
        if (!values.length) continue;
        const at = (q: number) =>
          values[Math.min(values.length - 1, Math.floor(q * values.length))];
        for (const [op, value] of [
          ['lte', at(0.5)],
          ['lte', at(0.9)],
          ['gte', at(0.1)],
        ] as const) {
          const v = Math.round(value * 1000) / 1000;
          const m = measure(observed, target, (f) => (op === 'lte' ? f[key] <= v : f[key] >= v));
          if (m.cases.length >= options.minCases)
            features.push({ feature: key, op, value: v, target, ...m });
        }
      }
    }
  }
  features.sort(better);
  return { cases: caseContrasts, patterns, features };
}
