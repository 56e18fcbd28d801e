import type { CriterionOf } from '../criterion.schema';
import { formatNumber } from '../compare';
import { OutcomeError } from '../errors';
import { transcriptOf } from '../transcript';
import { notGradable, type EvalContext, type Verdict } from './evaluation';

/** How much of the session a judge reads (characters; longer transcripts lose their middle). */
export const JUDGE_TRANSCRIPT_CHARS = 40_000;

export const NOT_GRADABLE_OFFLINE =
  "not gradable offline: the builtin provider does not judge free text; set the criterion's model to anthropic";

/**
 * `judge`: the judge scores the transcript and final answer against the instructions; passes when
 * the score reaches the threshold. Without a judge, with an offline one, or when the criterion
 * asks for the builtin provider, the criterion is not gradable (never passed). A judge that
 * throws makes grading throw: a transient failure should be retried, not graded.
 */
export async function evaluateJudge(c: CriterionOf<'judge'>, ctx: EvalContext): Promise<Verdict> {
  if (!ctx.judge || ctx.judge.offline || c.model?.provider === 'builtin')
    return notGradable(NOT_GRADABLE_OFFLINE);
  const judgement = await ctx.judge.judge({
    criterionId: c.id,
    instructions: c.instructions,
    transcript: transcriptOf(ctx.events, JUDGE_TRANSCRIPT_CHARS),
    finalAnswer: ctx.facts.finalAnswer.text,
    ...(c.model ? { model: c.model } : {}),
  });
  if (typeof judgement.score !== 'number' || !Number.isFinite(judgement.score))
    throw new OutcomeError(
      'invalid_judgement',
      `the judge of criterion "${c.id}" returned score ${String(judgement.score)}; a judge must return a number from 0 to 1`,
    );
  const u = judgement.usage;
  ctx.judgeUsage.inputTokens += u.inputTokens;
  ctx.judgeUsage.outputTokens += u.outputTokens;
  ctx.judgeUsage.cacheReadTokens += u.cacheReadTokens;
  ctx.judgeUsage.cacheWriteTokens += u.cacheWriteTokens;
  const score = Math.min(1, Math.max(0, judgement.score));
  const passed = score >= c.threshold;
  return {
    gradable: true,
    passed,
    score,
    explanation: `${judgement.model} scored ${formatNumber(score)} (threshold ${formatNumber(c.threshold)}): ${judgement.explanation}`,
    steps: [],
  };
}
