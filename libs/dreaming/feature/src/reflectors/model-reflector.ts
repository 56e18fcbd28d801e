import type { DreamUsage, FailurePattern } from '@reverie/dreaming-domain';
import type { ModelProvider, ToolDefinition } from '@reverie/models';
import { describeRule, ENTRY_LIMITS } from '@reverie/playbooks-domain';
import type { RoleDraft } from '../environments/environment-dreamer';

const WRITE_TOOL: ToolDefinition = {
  name: 'write_entries',
  description:
    'Record the playbook text for the drafted entries, one item per draft you rewrite. Call it once.',
  inputSchema: {
    type: 'object',
    properties: {
      entries: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            index: { type: 'integer', description: 'the draft number, from 0' },
            title: { type: 'string', maxLength: 200 },
            guidance: {
              type: 'string',
              description:
                'What to do and when, for an agent to read; general, not tied to one session.',
            },
            rationale: {
              type: 'string',
              description: 'Why, from the failure patterns and numbers.',
            },
          },
          required: ['index', 'title', 'guidance', 'rationale'],
        },
      },
    },
    required: ['entries'],
  },
};

/** Stable across dreams, so the provider caches it: the instructions never change. */
const INSTRUCTIONS = [
  "You are the reflector of a dream: an offline review of an AI agent team's past sessions.",
  'Other reflectors already found, by simulation or by contrasting sessions, structured rules that',
  'measurably help. Each draft below has its rule, the evidence numbers and the failure patterns it',
  'addresses. Rewrite the title, guidance and rationale of each draft so an agent reading the',
  'playbook understands when the lesson applies and why, in general terms (not one session).',
  'Never change what the rule does, never add permissions, secrets or personal data.',
  'Answer by calling write_entries once.',
].join('\n');

export interface ModelReflection {
  drafts: RoleDraft[];
  usage: Partial<DreamUsage>;
  rewritten: number;
}

/**
 * The model reflector: explains and generalises the drafted entries in words (one request per
 * dream, its fixed instructions cached), keeping each draft's rule and evidence as they are. A
 * reply it cannot use leaves the drafts' own text.
 */
export class ModelReflector {
  constructor(
    private readonly provider: ModelProvider,
    private readonly settings: { model?: string; maxTokens?: number },
  ) {}

  async reflect(input: {
    environment: string;
    instructions: string;
    patterns: readonly FailurePattern[];
    drafts: readonly RoleDraft[];
  }): Promise<ModelReflection> {
    if (!input.drafts.length) return { drafts: [], usage: {}, rewritten: 0 };
    const brief = {
      environment: input.environment,
      operatorInstructions: input.instructions || null,
      patterns: input.patterns
        .slice(0, 10)
        .map((p) => ({ description: p.description, count: p.count })),
      drafts: input.drafts.map((d, index) => ({
        index,
        role: d.role,
        title: d.draft.title,
        guidance: d.draft.guidance,
        rationale: d.draft.rationale,
        rule: d.draft.rule ? describeRule(d.draft.rule) : null,
      })),
    };
    const response = await this.provider.complete({
      system: [{ text: INSTRUCTIONS, cache: true }],
      messages: [{ role: 'user', content: JSON.stringify(brief) }],
      tools: [WRITE_TOOL],
      toolChoice: { type: 'tool', name: WRITE_TOOL.name },
      ...(this.settings.model && { model: this.settings.model }),
      maxTokens: this.settings.maxTokens ?? 2048,
    });
    const usage: Partial<DreamUsage> = {
      input_tokens: response.usage.inputTokens,
      output_tokens: response.usage.outputTokens,
      cache_read_input_tokens: response.usage.cacheReadTokens,
      cache_creation_input_tokens: response.usage.cacheWriteTokens,
    };
    const call = response.toolCalls.find((c) => c.name === WRITE_TOOL.name);
    const items = (call?.input as { entries?: unknown })?.entries;
    const drafts = input.drafts.map((d) => ({ ...d, draft: { ...d.draft } }));
    let rewritten = 0;
    if (Array.isArray(items))
      for (const item of items as Record<string, unknown>[]) {
        const i = item['index'];
        const text = (k: string, max: number) =>
          typeof item[k] === 'string' &&
          (item[k] as string).trim() &&
          (item[k] as string).length <= max
            ? (item[k] as string).trim()
            : null;
        if (typeof i !== 'number' || !drafts[i]) continue;
        const title = text('title', 200)?.replace(/\s+/g, ' ') ?? null;
        const guidance = text('guidance', ENTRY_LIMITS.guidance);
        const rationale = text('rationale', ENTRY_LIMITS.rationale);
        if (!title || !guidance || !rationale) continue;
        drafts[i].draft = { ...drafts[i].draft, title, guidance, rationale };
        rewritten++;
      }
    return { drafts, usage, rewritten };
  }
}
