import type { JudgeModel } from './criterion.schema';

/** What a judge is asked about one `judge` criterion. */
export interface JudgeRequest {
  criterionId: string;
  /** The criterion's instructions: what to look for and how to score it. */
  instructions: string;
  /** The session as readable text (`transcriptOf`), truncated from the middle when long. */
  transcript: string;
  /** The session's final answer as text, or null when it gave none. */
  finalAnswer: string | null;
  /** The model the criterion asks for, if any. */
  model?: JudgeModel;
}

/** A judge's token usage (the Messages API's four counts). */
export interface JudgeUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** A judge's answer. */
export interface Judgement {
  /** 0..1; the criterion passes when it reaches the criterion's threshold. */
  score: number;
  explanation: string;
  usage: JudgeUsage;
  /** The model that judged. */
  model: string;
}

/**
 * Scores free text against instructions, usually with a model (the grader service adapts its
 * model provider to this). A judge that is `offline` (such as one backed by the builtin provider)
 * cannot judge: its criteria are reported not gradable rather than guessed.
 */
export interface Judge {
  judge(request: JudgeRequest): Promise<Judgement>;
  readonly offline?: boolean;
}
