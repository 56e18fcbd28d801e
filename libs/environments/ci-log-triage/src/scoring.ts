import { countLines, mergeRanges, type LineRange } from './line-range';

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

export interface AnswerScore extends Prf {
  /** Answered lines that are labelled `E`. */
  tp: number;
  /** Answered lines that are not. */
  fp: number;
  /** `E` lines the answer missed. */
  fn: number;
}

export interface AggregateScore {
  cases: number;
  /** From the summed tp/fp/fn of all cases: long logs weigh more. */
  micro: AnswerScore;
  /** The mean of the per-case values: every case weighs the same. */
  macro: Prf;
}

/**
 * Line-level precision, recall and F1 of an answer against the `E` lines. Overlapping ranges
 * count each line once. An empty answer to a case with no labelled lines scores 1 throughout;
 * otherwise an empty answer has precision 0, a case with no labels has recall 1 (nothing was
 * missed), and F1 is 0 unless precision and recall are both positive.
 */
export function scoreAnswer(
  answer: readonly LineRange[],
  errorRanges: readonly LineRange[],
): AnswerScore {
  const tp = overlap(mergeRanges(answer), mergeRanges(errorRanges));
  return withPrf(tp, countLines(answer) - tp, countLines(errorRanges) - tp);
}

/** Lines two sorted, merged range lists share; works on lengths, never expands the ranges. */
function overlap(a: LineRange[], b: LineRange[]): number {
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    const lo = Math.max(a[i].start, b[j].start);
    const hi = Math.min(a[i].end, b[j].end);
    if (hi >= lo) shared += hi - lo + 1;
    if (a[i].end < b[j].end) i++;
    else j++;
  }
  return shared;
}

export function aggregate(scores: readonly AnswerScore[]): AggregateScore {
  const sum = (f: (s: AnswerScore) => number) => scores.reduce((acc, s) => acc + f(s), 0);
  const mean = (f: (s: AnswerScore) => number) => (scores.length ? sum(f) / scores.length : 0);
  return {
    cases: scores.length,
    micro: withPrf(
      sum((s) => s.tp),
      sum((s) => s.fp),
      sum((s) => s.fn),
    ),
    macro: {
      precision: mean((s) => s.precision),
      recall: mean((s) => s.recall),
      f1: mean((s) => s.f1),
    },
  };
}

function withPrf(tp: number, fp: number, fn: number): AnswerScore {
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { tp, fp, fn, precision, recall, f1 };
}
