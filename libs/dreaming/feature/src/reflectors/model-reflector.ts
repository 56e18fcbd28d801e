import type { DreamUsage, FailurePattern } from '@reverie/dreaming-domain';
import {
  requestTokenEstimate,
  type ModelProvider,
  type ModelRequest,
  type ToolDefinition,
} from '@reverie/models';
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

export interface ReflectionInput {
  environment: string;
  instructions: string;
  patterns: readonly FailurePattern[];
  drafts: readonly RoleDraft[];
  /** What is left of the dream's token budget; null or absent: no budget. */
  tokensLeft?: number | null;
}

export interface ModelReflection {
  drafts: RoleDraft[];
  usage: Partial<DreamUsage>;
  rewritten: number;
  /** What it left undone to stay within the token budget, for the dream's notes. */
  notes: string[];
}

/** Output tokens a rewritten draft is given at least: its title, guidance and rationale. */
export const OUTPUT_TOKENS_PER_DRAFT = 200;
/** The output cap when the settings give none (this reflector's, as before budgets). */
const DEFAULT_MAX_TOKENS = 2048;

/**
 * The model reflector: explains and generalises the drafted entries in words (one request per
 * dream, its fixed instructions cached), keeping each draft's rule and evidence as they are. A
 * reply it cannot use leaves the drafts' own text. Within a token budget (`tokensLeft`) it asks
 * for as many drafts, in order, as the estimated prompt and their output fit in (the rest keep
 * their text), with the output cap lowered to what is left; when not even one fits, it sends
 * nothing.
 */
export class ModelReflector {
  constructor(
    private readonly provider: ModelProvider,
    private readonly settings: { model?: string; maxTokens?: number },
  ) {}

  async reflect(input: ReflectionInput): Promise<ModelReflection> {
    const unchanged = (notes: string[] = []): ModelReflection => ({
      drafts: [...input.drafts],
      usage: {},
      rewritten: 0,
      notes,
    });
    if (!input.drafts.length) return unchanged();
    const fitted = this.fit(input);
    if (!fitted) {
      const one = reflectionRequest(input, 1, OUTPUT_TOKENS_PER_DRAFT, this.settings.model);
      const least = requestTokenEstimate(one, OUTPUT_TOKENS_PER_DRAFT);
      return unchanged([
        `model reflector skipped: rewriting even one draft may take ~${least.prompt + least.output} tokens and ${input.tokensLeft} are left of the token budget; the drafts keep their generated text`,
      ]);
    }
    const notes =
      fitted.count < input.drafts.length
        ? [
            `model reflector rewrote at most ${fitted.count} of ${input.drafts.length} draft(s) to stay within the token budget (${input.tokensLeft} tokens left); the rest keep their generated text`,
          ]
        : [];
    const response = await this.provider.complete(fitted.request);
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
        if (typeof i !== 'number' || i >= fitted.count || !drafts[i]) continue;
        const title = text('title', 200)?.replace(/\s+/g, ' ') ?? null;
        const guidance = text('guidance', ENTRY_LIMITS.guidance);
        const rationale = text('rationale', ENTRY_LIMITS.rationale);
        if (!title || !guidance || !rationale) continue;
        drafts[i].draft = { ...drafts[i].draft, title, guidance, rationale };
        rewritten++;
      }
    return { drafts, usage, rewritten, notes };
  }

  /**
   * The request for the most drafts (in order) whose estimated prompt and output fit what is left
   * of the budget, each given at least OUTPUT_TOKENS_PER_DRAFT out; all of them, with the
   * settings' cap, when there is no budget. Null when not even one fits.
   */
  private fit(input: ReflectionInput) {
    const cap = this.settings.maxTokens ?? DEFAULT_MAX_TOKENS;
    const left = input.tokensLeft;
    if (left === null || left === undefined)
      return {
        count: input.drafts.length,
        request: reflectionRequest(input, input.drafts.length, cap, this.settings.model),
      };
    for (let count = input.drafts.length; count >= 1; count--) {
      const request = reflectionRequest(input, count, 0, this.settings.model);
      const output = Math.min(cap, left - requestTokenEstimate(request, 0).prompt);
      if (output >= Math.min(cap, count * OUTPUT_TOKENS_PER_DRAFT))
        return { count, request: { ...request, maxTokens: output } };
    }
    return null;
  }
}

/** The request that asks the model to rewrite the first `count` drafts, with `maxTokens` out. */
export function reflectionRequest(
  input: ReflectionInput,
  count: number,
  maxTokens: number,
  model?: string,
): ModelRequest {
  const brief = {
    environment: input.environment,
    operatorInstructions: input.instructions || null,
    patterns: input.patterns
      .slice(0, 10)
      .map((p) => ({ description: p.description, count: p.count })),
    drafts: input.drafts.slice(0, count).map((d, index) => ({
      index,
      role: d.role,
      title: d.draft.title,
      guidance: d.draft.guidance,
      rationale: d.draft.rationale,
      rule: d.draft.rule ? describeRule(d.draft.rule) : null,
    })),
  };
  return {
    system: [{ text: INSTRUCTIONS, cache: true }],
    messages: [{ role: 'user', content: JSON.stringify(brief) }],
    tools: [WRITE_TOOL],
    toolChoice: { type: 'tool', name: WRITE_TOOL.name },
    ...(model && { model }),
    maxTokens,
  };
}
