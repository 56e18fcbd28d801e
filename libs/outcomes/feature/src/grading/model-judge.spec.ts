import { zeroUsage, type ModelProvider, type ModelRequest } from '@reverie/models';
import { JudgeError, ModelJudge } from './model-judge';
import { TriageLabels } from './triage-labels';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';

function answering(input: unknown): ModelProvider & { requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    name: 'anthropic',
    requests,
    async complete(request) {
      requests.push(request);
      return {
        text: '',
        toolCalls: [{ id: 't1', name: 'grade', input }],
        stopReason: 'tool_use',
        usage: { ...zeroUsage(), inputTokens: 900, outputTokens: 40 },
        content: [],
        model: request.model ?? 'claude-judge',
      };
    },
  };
}

const request = {
  criterionId: 'clear',
  instructions: 'Is the answer explained?',
  transcript: '[1] assistant: the build failed at line 3',
  finalAnswer: '{"ranges":[{"start":3,"end":3}]}',
};

describe('ModelJudge (the remote model is mocked)', () => {
  it('asks in its own context with a forced grade tool and returns score, explanation, usage', async () => {
    const model = answering({ score: 0.9, explanation: 'Cites the failing line.' });
    const judge = new ModelJudge(() => model, { provider: 'anthropic', model: 'claude-judge' });
    expect(judge.offline).toBe(false);
    expect(await judge.judge(request)).toEqual({
      score: 0.9,
      explanation: 'Cites the failing line.',
      usage: { ...zeroUsage(), inputTokens: 900, outputTokens: 40 },
      model: 'claude-judge',
    });
    expect(model.requests[0]).toMatchObject({ toolChoice: { type: 'tool', name: 'grade' } });
    expect(model.requests[0].messages[0].content).toContain('Is the answer explained?');
  });

  it('refuses an answer that is not a score from 0 to 1', async () => {
    const judge = new ModelJudge(() => answering({ score: 7, explanation: 'x' }), {
      provider: 'anthropic',
    });
    await expect(judge.judge(request)).rejects.toThrow(JudgeError);
  });

  it('is offline when backed by the builtin provider', () => {
    expect(new ModelJudge(() => answering({}), { provider: 'builtin' }).offline).toBe(true);
  });
});

describe('TriageLabels', () => {
  const labels = new TriageLabels(BUNDLED_DATASETS_DIR);

  it("reads a case's labelled error lines, and null for a case that does not exist", async () => {
    const ranges = await labels.get('assertj_1944');
    expect(ranges?.length).toBeGreaterThan(0);
    expect(ranges?.[0]).toEqual({ start: expect.any(Number), end: expect.any(Number) });
    expect(await labels.get('no_such_case')).toBeNull();
  });
});
