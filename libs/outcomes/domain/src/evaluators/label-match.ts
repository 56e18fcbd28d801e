import { asLineRanges, scoreAnswer } from '@reverie/ci-log-triage';
import type { CriterionOf } from '../criterion.schema';
import { formatNumber } from '../compare';
import { notGradable, type EvalContext, type Verdict } from './evaluation';

/**
 * `label_match`: a triage answer's line-level precision, recall or F1 against the labelled lines
 * (`scoreAnswer` of @reverie/ci-log-triage); the score is the metric, passing when it reaches
 * `min`. Without labels, the score the triage environment recorded in the session is used; with
 * neither, the criterion is not gradable. No answer scores as an empty answer.
 */
export function evaluateLabelMatch(c: CriterionOf<'label_match'>, ctx: EvalContext): Verdict {
  const answer = ctx.facts.finalAnswer;
  const json = answer.json as { ranges?: unknown } | null;
  const ranges = json && typeof json === 'object' ? asLineRanges(json.ranges) : null;
  let prf: { precision: number; recall: number; f1: number };
  let source: string;
  if (ctx.labels) {
    prf = scoreAnswer(ranges ?? [], ctx.labels);
    source = `against ${ctx.labels.length} labelled range${ctx.labels.length === 1 ? '' : 's'}`;
  } else if (ctx.facts.recordedScore) {
    prf = ctx.facts.recordedScore;
    source = 'as the triage environment recorded it';
  } else {
    return notGradable(
      'not gradable: no labelled lines were given and the session recorded no triage score',
    );
  }
  const value = prf[c.metric];
  const passed = value >= c.min;
  const what = ranges
    ? `the answer (${ranges.length} range${ranges.length === 1 ? '' : 's'}${answer.step === null ? '' : `, step ${answer.step}`})`
    : 'no answer (scored as empty)';
  const all = `precision ${formatNumber(prf.precision)}, recall ${formatNumber(prf.recall)}, F1 ${formatNumber(prf.f1)}`;
  return {
    gradable: true,
    passed,
    score: Math.min(1, Math.max(0, value)),
    explanation: `${c.metric} ${formatNumber(value)} of ${what} ${source} is ${passed ? 'at least' : 'below'} ${formatNumber(c.min)} (${all})`,
    steps: answer.step === null ? [] : [answer.step],
  };
}
