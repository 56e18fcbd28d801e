import { createProvider, requestTokenEstimate, withTokenBudget } from '@reverie/models';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
import type { RoleDraft } from '../environments/environment-dreamer';
import { ModelReflector, OUTPUT_TOKENS_PER_DRAFT, reflectionRequest } from './model-reflector';

const drafts: RoleDraft[] = [
  {
    role: 'navigator',
    draft: {
      title: 'Navigator: set pitch 0 when altitude below 40 m',
      guidance: 'When altitude below 40 m, set pitch 0.',
      rationale: 'On 14 training scenarios: 10 safe against 8.',
      evidence: [{ sessionId: 'ses_1' }],
      rule: {
        when: { feature: 'altitude', op: 'lt', value: 40 },
        then: { action: 'set_pitch', params: { deg: 0 } },
      },
    },
    alternative: 0,
    train: { before: 8, after: 10, tasks: 14 },
  },
];
const patterns = [
  {
    key: 'hazard|navigator|50-59',
    description: 'hazard: 4 sessions',
    count: 4,
    sessionIds: [],
    roles: ['navigator'],
    steps: [51],
  },
];

describe('ModelReflector with the real SDK (the remote model is mocked by a local Messages API)', () => {
  let server: MessagesServer;
  afterEach(() => server?.close());

  const reflector = () =>
    new ModelReflector(
      createProvider(
        { provider: 'anthropic', model: 'claude-dreamer' },
        { anthropic: { baseURL: server.baseURL, apiKey: server.apiKey } },
      ),
      { model: 'claude-dreamer', maxTokens: 1024 },
    );

  it('rewrites the text of each draft in one cached request, keeping rules, evidence and training counts', async () => {
    server = await MessagesServer.start({
      replies: [
        toolUseReply([
          {
            name: 'write_entries',
            input: {
              entries: [
                {
                  index: 0,
                  title: 'Level the craft\nbefore touchdown',
                  guidance: 'Below about 40 m, hold the craft upright so it touches down level.',
                  rationale: 'Landings that still pitched low tipped or hit boulders.',
                },
                { index: 7, title: 'x', guidance: 'y', rationale: 'z' },
              ],
            },
          },
        ]),
      ],
    });
    const r = await reflector().reflect({
      environment: 'lunar-lander',
      instructions: 'be brief',
      patterns,
      drafts,
    });
    expect(r.rewritten).toBe(1);
    expect(r.drafts[0].draft).toMatchObject({
      title: 'Level the craft before touchdown',
      guidance: 'Below about 40 m, hold the craft upright so it touches down level.',
      rule: drafts[0].draft.rule,
      evidence: drafts[0].draft.evidence,
    });
    // The gate's saturatedTrainGain reads these: a rewrite of the words must not drop them.
    expect(r.drafts[0]).toMatchObject({
      alternative: 0,
      train: { before: 8, after: 10, tasks: 14 },
    });
    expect(r.usage.input_tokens).toBeGreaterThan(0);
    expect(r.usage.output_tokens).toBeGreaterThan(0);
    const body = server.requests[0].body as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'write_entries' });
    expect(body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(JSON.stringify(body.messages)).toContain('be brief');
  });

  it('keeps the drafts as they were when the reply is unusable', async () => {
    server = await MessagesServer.start({
      replies: [toolUseReply([{ name: 'write_entries', input: { entries: 'nothing' } }])],
    });
    const r = await reflector().reflect({
      environment: 'lunar-lander',
      instructions: '',
      patterns,
      drafts,
    });
    expect(r.rewritten).toBe(0);
    expect(r.drafts).toEqual(drafts);
  });

  describe('within a token budget', () => {
    /** Three drafts, as the lunar dreamer drafts them for different roles. */
    const three: RoleDraft[] = ['navigator', 'detector', 'commander'].map((role, i) => ({
      ...drafts[0],
      role,
      draft: { ...drafts[0].draft, title: `${role}: rule ${i}` },
    }));
    const input = (tokensLeft: number) => ({
      environment: 'lunar-lander',
      instructions: '',
      patterns,
      drafts: three,
      tokensLeft,
    });
    const promptOf = (count: number) =>
      requestTokenEstimate(reflectionRequest(input(0), count, 0, 'claude-dreamer'), 0).prompt;
    /** As the reflect stage builds it: the dream's provider within what is left of the budget. */
    const budgeted = (tokensLeft: number) =>
      new ModelReflector(
        withTokenBudget(
          createProvider(
            { provider: 'anthropic', model: 'claude-dreamer' },
            { anthropic: { baseURL: server.baseURL, apiKey: server.apiKey } },
          ),
          tokensLeft,
          2048,
        ),
        { model: 'claude-dreamer', maxTokens: 1024 },
      );
    const rewriteAll = () =>
      toolUseReply([
        {
          name: 'write_entries',
          input: {
            entries: [0, 1, 2].map((index) => ({
              index,
              title: `Lesson ${index}`,
              guidance: 'General guidance.',
              rationale: 'Why.',
            })),
          },
        },
      ]);

    it('asks for the drafts that fit, with the output cap lowered to what is left; the rest keep their text', async () => {
      server = await MessagesServer.start({ replies: [rewriteAll()] });
      // Two drafts and their output fit; the third's prompt and output would not.
      const left = promptOf(2) + 2 * OUTPUT_TOKENS_PER_DRAFT + 10;
      expect(promptOf(3) + 3 * OUTPUT_TOKENS_PER_DRAFT).toBeGreaterThan(left);

      const r = await budgeted(left).reflect(input(left));
      const { body } = server.requests[0];
      expect(body.max_tokens).toBe(left - promptOf(2));
      const [asked] = body.messages[0].content as { text: string }[];
      expect(JSON.parse(asked.text).drafts).toHaveLength(2);
      // The reply's rewrite of the draft it was not asked about is not taken.
      expect(r.rewritten).toBe(2);
      expect(r.drafts.map((d) => d.draft.title)).toEqual([
        'Lesson 0',
        'Lesson 1',
        'commander: rule 2',
      ]);
      expect(r.notes).toEqual([
        `model reflector rewrote at most 2 of 3 draft(s) to stay within the token budget (${left} tokens left); the rest keep their generated text`,
      ]);
    });

    it("asks for all with the settings' cap when it fits, and sends nothing when not even one draft fits", async () => {
      server = await MessagesServer.start({ replies: [rewriteAll()] });
      const all = await budgeted(100_000).reflect(input(100_000));
      expect(server.requests[0].body.max_tokens).toBe(1024);
      expect(all).toMatchObject({ rewritten: 3, notes: [] });

      const none = await budgeted(300).reflect(input(300));
      expect(server.requests).toHaveLength(1);
      expect(none).toMatchObject({ rewritten: 0, drafts: three, usage: {} });
      expect(none.notes).toEqual([
        `model reflector skipped: rewriting even one draft may take ~${promptOf(1) + OUTPUT_TOKENS_PER_DRAFT} tokens and 300 are left of the token budget; the drafts keep their generated text`,
      ]);
    });
  });
});
