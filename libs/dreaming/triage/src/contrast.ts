import { RULE_CONDITIONS, type LineFeatures } from '@reverie/ci-log-triage';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { RuleSetScorer, selectionF1, type LabelledCase } from './evaluate';

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
  /** Kinds of log (`logKind`) of those cases. */
  kinds: string[];
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
  /** A pattern must occur in mistaken lines of at least this many cases... */
  minCases: number;
  /**
   * ...and of at least this share of the cases: a pattern two logs of twenty share is more
   * likely a trait of those builds than of build logs.
   */
  minCaseShare?: number;
  /** Keep at most this many patterns per target. */
  maxPatterns: number;
  /**
   * ...and in mistakes of logs of at least this many kinds (`logKind`: the tool and step that
   * failed), or of every kind the training cases have when they have fewer. Four logs of one
   * kind share their tool's wording; a test that holds across kinds is about build logs. 2 by
   * default since 30 Nov: on logs of many tools, word excludes learned from two or three logs of
   * one kind (`\bbecause\b` from logs with no build tool, `ci`) cost a held-out log 0.186 F1
   * (set 8 cross-validated 0.673 -> 0.680, worst loss 0.029; the development logs, the bundled
   * logs and their test split as at 1). On 26 Nov, with the markers' day one, it was off:
   * grouped cross-validation did not rise at 2, and Maven's `COMPILATION` and Jenkins'
   * `Sending e-mails` excludes, seen in one kind of a fold's training logs, were no longer learned.
   */
  minKinds?: number;
  /**
   * Features the contrast proposes no test on. The line's position by default: a threshold drawn
   * from where the training logs' mistakes sit (`lineNumber <= 3884`, `fromEnd <= 45`) is a trait
   * of their lengths and of what their CI system prints after the build, and says nothing about a
   * log of another project (`fromEnd <= 45 ... exclude`, learned on half of the hand-written logs
   * of many tools, cost a held-out pytest log 0.55 F1).
   */
  skipFeatures?: readonly string[];
  /**
   * Features the contrast proposes no test on for lines wrongly answered (an exclude's
   * condition), besides `skipFeatures`: where a training log's noise sits relative to its markers
   * (the distances) and how far it is indented are traits of those logs' tools. On logs of many
   * tools, `distanceToFreshBlock <= 10 ... exclude` (the noise of the training logs lay near their
   * markers) held on every training and validation log and cost three held-out logs, whose errors
   * lay next to a marker, all their F1 (set 8 of datasets/ci-other-tools, docs/learning.md).
   * Nor whether the markers took the line into an error run or block: on Maven logs, whose every
   * error line carries `[ERROR]`, `runLength <= 1 ... exclude` keeps only the markers' runs and
   * held on every training and validation log, and it dropped the errors of tools whose lines
   * carry no marker (apt's, Julia's, Prettier's: eight development logs and three of set 8 lost
   * more than 0.05). The exclude that carries is `inMarkedNews` (a stretch of new lines with a
   * fresh marker or a word of trouble in it).
   */
  skipExcludeFeatures?: readonly string[];
}

/** Context windows (lines) tried on the distance features besides their quantiles. */
const WINDOWS = [1, 2, 3, 5, 8] as const;

export const DEFAULT_CONTRAST: ContrastOptions = {
  minCases: 2,
  minCaseShare: 0.25,
  maxPatterns: 24,
  minKinds: 2,
  skipFeatures: ['lineNumber', 'fromEnd', 'relativePosition'],
  skipExcludeFeatures: [
    'distanceAfterMarker',
    'distanceBeforeMarker',
    'distanceToFreshMarker',
    'distanceToFreshBlock',
    'indent',
    'runLength',
    'inFreshRun',
    'inErrorBlock',
    'inFreshBlock',
    'isMarker',
    'blockOffset',
  ],
};

interface Observed {
  caseId: string;
  kind: string;
  features: LineFeatures[];
  selected: Set<number>;
  labelled: Uint8Array;
  /** Per target, per line: 1 a mistake of that kind, 2 a line acting on it would hurt, 0 neither. */
  role: Record<ContrastTarget, Uint8Array>;
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

/** The current rules' selections on each case, beside its features and labels. */
function observe(scorer: RuleSetScorer, current: readonly PlaybookRule[]): Observed[] {
  const selections = scorer.selections(current);
  return scorer.cases.map((c, i) => {
    const selected = selections[i];
    const target = {
      missed: new Uint8Array(c.features.length),
      falsePositive: new Uint8Array(c.features.length),
    };
    c.features.forEach((f, j) => {
      const labelled = c.labelled[f.lineNumber] === 1;
      const sel = selected.has(f.lineNumber);
      // 1: a target line of that mistake; 2: a line acting on it would hurt; 0: neither.
      target.missed[j] = labelled && !sel ? 1 : !labelled && !sel ? 2 : 0;
      target.falsePositive[j] = !labelled && sel ? 1 : labelled && sel ? 2 : 0;
    });
    return {
      caseId: c.id,
      kind: c.kind,
      features: c.features,
      selected,
      labelled: c.labelled,
      role: target,
    };
  });
}

/** Counts a line test on target and against lines (only those lines are tested). */
function measure(
  observed: readonly Observed[],
  target: ContrastTarget,
  test: (f: LineFeatures, selected: boolean) => boolean,
): Pick<ContrastTest, 'lines' | 'cases' | 'kinds' | 'against'> {
  let lines = 0;
  let against = 0;
  const cases = new Set<string>();
  const kinds = new Set<string>();
  for (const o of observed) {
    const role = o.role[target];
    for (let j = 0; j < o.features.length; j++) {
      if (role[j] === 0) continue;
      const f = o.features[j];
      if (!test(f, o.selected.has(f.lineNumber))) continue;
      if (role[j] === 1) {
        lines++;
        cases.add(o.caseId);
        kinds.add(o.kind);
      } else against++;
    }
  }
  return { lines, cases: [...cases], kinds: [...kinds], against };
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
  scorer: RuleSetScorer = new RuleSetScorer(cases),
): Contrast {
  const observed = observe(scorer, current);
  const minCases = Math.max(
    options.minCases,
    Math.ceil((options.minCaseShare ?? 0) * observed.length),
  );
  const minKinds = Math.min(options.minKinds ?? 1, new Set(observed.map((o) => o.kind)).size);
  const enough = (t: Pick<ContrastTest, 'cases' | 'kinds'>) =>
    t.cases.length >= minCases && t.kinds.length >= minKinds;
  const caseContrasts = observed.map((o, i): CaseContrast => {
    const sel = [...o.selected];
    return {
      caseId: o.caseId,
      f1: selectionF1(scorer.cases[i], o.selected),
      missed: o.features
        .filter((f) => o.role.missed[f.lineNumber - 1] === 1)
        .map((f) => f.lineNumber),
      falsePositives: sel.filter((n) => o.labelled[n] !== 1).sort((a, b) => a - b),
    };
  });
  const patterns: ContrastTest[] = [];
  const features: ContrastTest[] = [];
  for (const target of ['missed', 'falsePositive'] as const) {
    const support = new Map<string, Set<string>>();
    const supportKinds = new Map<string, Set<string>>();
    const targets: LineFeatures[] = [];
    for (const o of observed)
      for (const f of o.features) {
        if (o.role[target][f.lineNumber - 1] !== 1) continue;
        targets.push(f);
        for (const p of linePatterns(f.text)) {
          (support.get(p) ?? support.set(p, new Set()).get(p))?.add(o.caseId);
          (supportKinds.get(p) ?? supportKinds.set(p, new Set()).get(p))?.add(o.kind);
        }
      }
    const frequent = [...support]
      .filter(([p, s]) => enough({ cases: [...s], kinds: [...(supportKinds.get(p) ?? [])] }))
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
      if (options.skipFeatures?.includes(c.key)) continue;
      if (target === 'falsePositive' && options.skipExcludeFeatures?.includes(c.key)) continue;
      if (c.kind === 'boolean') {
        for (const value of [true, false]) {
          const test =
            c.key === 'selected'
              ? (_f: LineFeatures, s: boolean) => s === value
              : (f: LineFeatures) => f[c.key as 'isBlank'] === value;
          const m = measure(observed, target, test);
          // Most of the mistaken lines, or fewer that it tells apart from the lines acting on
          // them would hurt (four to one): on logs of many tools, the new lines that say
          // nothing went wrong (`inMarkedNews` false) are a minority of the noise, and nearly
          // never an error.
          if (m.lines * 2 > targets.length || (enough(m) && m.against * 4 < m.lines))
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
        // Quantiles of the mistaken lines, and for distances a fixed grid of narrow context
        // windows: a few long labelled blocks would otherwise set every quantile.
        const grid = key.startsWith('distance') ? WINDOWS.map((w) => ['lte', w] as const) : [];
        for (const [op, value] of [
          ['lte', at(0.25)],
          ['lte', at(0.5)],
          ['lte', at(0.9)],
          ['gte', at(0.1)],
          ...grid,
        ] as const) {
          const v = Math.round(value * 1000) / 1000;
          const m = measure(observed, target, (f) => (op === 'lte' ? f[key] <= v : f[key] >= v));
          if (enough(m)) features.push({ feature: key, op, value: v, target, ...m });
        }
      }
    }
  }
  features.sort(better);
  return { cases: caseContrasts, patterns, features };
}
