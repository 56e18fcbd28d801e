import { formatNumber } from './compare';
import { failedGraded, type CriterionGrade } from './evaluators/evaluation';
import type { SessionSignal } from './signals';

export type GradeResult = 'satisfied' | 'needs_revision' | 'max_iterations_reached' | 'failed';

export interface SummaryInput {
  result: GradeResult;
  /** Why the result is `failed` (the session's end, an ungradable required criterion). */
  failure: string | null;
  score: number;
  passingScore: number;
  iteration: number;
  maxIterations: number;
  criteria: readonly CriterionGrade[];
  signals: readonly SessionSignal[];
}

const SIGNAL_WORDS: Record<SessionSignal['kind'], string> = {
  unrecovered_tool_error: 'unrecovered tool error',
  error: 'error event',
  user_correction: 'user correction',
};

const at = (step: number | null) => (step === null ? '' : `step ${step}: `);
const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/**
 * One paragraph a person or an agent can act on: the verdict with score and iteration, each
 * failed criterion with its explanation, criteria that could not be graded, and the automatic
 * signals (first few of each kind).
 */
export function summarizeGrade(g: SummaryInput): string {
  const score = `score ${formatNumber(g.score)}, passing ${formatNumber(g.passingScore)}`;
  const parts: string[] = [];
  switch (g.result) {
    case 'satisfied':
      parts.push(`Satisfied at iteration ${g.iteration} of ${g.maxIterations} (${score})`);
      break;
    case 'needs_revision':
      parts.push(`Needs revision after iteration ${g.iteration} of ${g.maxIterations} (${score})`);
      break;
    case 'max_iterations_reached':
      parts.push(
        `Not satisfied after ${g.iteration} of ${g.maxIterations} iterations (${score}); no attempts left`,
      );
      break;
    case 'failed':
      parts.push(`Failed: ${g.failure ?? 'the session could not be graded'}`);
      break;
  }
  const requiredMissed = g.criteria.filter((c) => c.required && c.gradable && !c.passed);
  if (requiredMissed.length && g.result !== 'failed')
    parts.push(`Required criteria not met: ${requiredMissed.map((c) => c.id).join(', ')}`);
  const failed = failedGraded(g.criteria);
  if (failed.length) parts.push(failed.map((c) => `${c.id} failed: ${c.explanation}`).join('; '));
  else if (g.criteria.some((c) => c.gradable))
    parts.push(`All ${g.criteria.filter((c) => c.gradable).length} graded criteria passed`);
  const ungraded = g.criteria.filter((c) => !c.gradable);
  if (ungraded.length)
    parts.push(
      `Not graded: ${ungraded.map((c) => `${c.id}${c.required ? ' (required)' : ''}: ${c.explanation}`).join('; ')}`,
    );
  const kinds = [...new Set(g.signals.map((s) => s.kind))];
  if (kinds.length)
    parts.push(
      `Signals: ${kinds
        .map((k) => {
          const of = g.signals.filter((s) => s.kind === k);
          const shown = of.slice(0, 3).map((s) => `${at(s.step)}${s.detail}`);
          return `${of.length} ${SIGNAL_WORDS[k]}${of.length === 1 ? '' : 's'} (${shown.join('; ')}${of.length > 3 ? '; …' : ''})`;
        })
        .join(', ')}`,
    );
  return parts.map(sentence).join(' ');
}
