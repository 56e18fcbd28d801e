import { createProvider } from '@reverie/models';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
import type { RoleDraft } from '../environments/environment-dreamer';
import { ModelReflector } from './model-reflector';

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
});
