import type { ModelProvider, ToolDefinition } from '@reverie/models';
import type { Judge, JudgeRequest, Judgement } from '@reverie/outcomes-domain';

const GRADE_TOOL: ToolDefinition = {
  name: 'grade',
  description: 'Record your score for the criterion and why. Call it exactly once.',
  inputSchema: {
    type: 'object',
    properties: {
      score: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        description: '0 = not met at all, 1 = fully met',
      },
      explanation: {
        type: 'string',
        description: 'What in the session supports the score, citing steps where you can.',
      },
    },
    required: ['score', 'explanation'],
  },
};

const INSTRUCTIONS = [
  'You grade one session of an AI agent against one criterion an operator wrote.',
  'Read the criterion and the session transcript; judge only what the criterion asks.',
  'Answer by calling the grade tool once with a score from 0 to 1 and a short explanation.',
].join('\n');

/** The judge could not give a usable answer; the criterion's grading fails with this reason. */
export class JudgeError extends Error {
  override readonly name = 'JudgeError';
}

/**
 * A judge backed by a model provider, in its own context (a fresh request per criterion, with
 * its own model settings): the criterion and the transcript in, a forced `grade` tool call out.
 * Backed by the builtin provider it is offline: the builtin provider does not judge free text.
 */
export class ModelJudge implements Judge {
  readonly offline: boolean;

  constructor(
    private readonly providerFor: (model: JudgeRequest['model']) => ModelProvider,
    private readonly defaults: {
      provider: 'builtin' | 'anthropic';
      model?: string;
      maxTokens?: number;
    },
  ) {
    this.offline = defaults.provider === 'builtin';
  }

  async judge(request: JudgeRequest): Promise<Judgement> {
    const settings = request.model ?? this.defaults;
    const provider = this.providerFor(settings);
    const response = await provider.complete({
      system: [{ text: INSTRUCTIONS }],
      messages: [
        {
          role: 'user',
          content: [
            `Criterion "${request.criterionId}":\n${request.instructions}`,
            `Final answer:\n${request.finalAnswer ?? '(none)'}`,
            `Session transcript:\n${request.transcript}`,
          ].join('\n\n'),
        },
      ],
      tools: [GRADE_TOOL],
      toolChoice: { type: 'tool', name: GRADE_TOOL.name },
      model: settings.model ?? this.defaults.model,
      maxTokens: settings.maxTokens ?? this.defaults.maxTokens ?? 1_024,
    });
    const call = response.toolCalls.find((c) => c.name === GRADE_TOOL.name);
    const input = call?.input as { score?: unknown; explanation?: unknown } | undefined;
    if (
      typeof input?.score !== 'number' ||
      !Number.isFinite(input.score) ||
      input.score < 0 ||
      input.score > 1 ||
      typeof input.explanation !== 'string'
    )
      throw new JudgeError(
        `the judge model did not answer with grade {score 0..1, explanation}: ${JSON.stringify(call?.input ?? response.text).slice(0, 300)}`,
      );
    return {
      score: input.score,
      explanation: input.explanation,
      usage: response.usage,
      model: response.model,
    };
  }
}
