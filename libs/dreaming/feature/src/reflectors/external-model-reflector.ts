import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DreamUsage, ProposedChange } from '@reverie/dreaming-domain';
import {
  compactTranscript,
  localiseSession,
  reviewProposals,
  type AcceptedProposal,
  type CompactTranscript,
  type ReviewedSession,
} from '@reverie/dreaming-reflect';
import {
  CHARS_PER_TOKEN,
  requestTokenEstimate,
  type ModelRequest,
  type ToolDefinition,
} from '@reverie/models';
import { describeRule, type PlaybookBase } from '@reverie/playbooks-domain';
import type { ReflectModel, RoleDraft } from '../environments/environment-dreamer';

/** Where the prompts live: next to this file, in the source tree and in the dreamer's build. */
export const EXTERNAL_REFLECTOR_PROMPTS_DIR = join(__dirname, 'prompts');

const PROMPT_FILES = {
  system: 'external-reflector.system.md',
  brief: 'external-reflector.brief.md',
} as const;

let prompts: Record<keyof typeof PROMPT_FILES, string> | null = null;

/** The prompts, read once from EXTERNAL_REFLECTOR_PROMPTS_DIR; throws naming the missing file. */
export function externalReflectorPrompts(): Record<keyof typeof PROMPT_FILES, string> {
  if (prompts) return prompts;
  const read = (file: string) => {
    const path = join(EXTERNAL_REFLECTOR_PROMPTS_DIR, file);
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new Error(
        `the model reflector's prompt ${path} is missing (the dreamer's build copies libs/dreaming/feature/src/reflectors/prompts next to the compiled reflector)`,
      );
    }
  };
  prompts = { system: read(PROMPT_FILES.system), brief: read(PROMPT_FILES.brief) };
  return prompts;
}

/** Fills `{{name}}` placeholders; a value cannot introduce another placeholder. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (m, k: string) => (k in values ? values[k] : m));
}

export const PROPOSE_TOOL: ToolDefinition = {
  name: 'propose_deltas',
  description:
    'Propose playbook deltas (add, update, merge, retire) learned from the sessions. Call it once; an empty list is allowed.',
  inputSchema: {
    type: 'object',
    properties: {
      proposals: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            role: {
              type: ['string', 'null'],
              description: 'the playbook (role) it changes; null for the agent itself',
            },
            delta: {
              type: 'object',
              description: 'an add, update, merge or retire delta in the playbook delta form',
            },
            reason: { type: 'string', description: 'why, with the numbers from the sessions' },
          },
          required: ['role', 'delta', 'reason'],
        },
      },
    },
    required: ['proposals'],
  },
};

export interface ExternalReflectorLimits {
  /** Characters all transcripts together may take in the prompt. */
  transcriptChars: number;
  /** Failed and successful train sessions shown, at most. */
  failedSessions: number;
  succeededSessions: number;
  /** Characters the current playbooks may take in the prompt. */
  playbookChars: number;
}

export const DEFAULT_EXTERNAL_REFLECTOR_LIMITS: ExternalReflectorLimits = {
  // About 15k tokens of transcripts (4 characters a token): room for the answer in any model.
  transcriptChars: 60_000,
  failedSessions: 12,
  succeededSessions: 6,
  playbookChars: 12_000,
};

export interface ExternalReflectorInput {
  environment: string;
  roles: readonly (string | null)[];
  /** Train sessions: the only ones shown to the model. */
  train: readonly ReviewedSession[];
  /** Validation sessions: the held-out check of every proposal (never shown). */
  heldOut: readonly ReviewedSession[];
  /** The agent each session belongs to (sessions of another agent are left out). */
  agentOf: ReadonlyMap<string, string>;
  /** What the builtin reflector drafted (kept by its held-out check). */
  builtin: readonly RoleDraft[];
  model: ReflectModel;
}

export interface ExternalReflection {
  /** Entries the model added that passed every check, as drafts (alternative 0). */
  drafts: RoleDraft[];
  /** Their held-out checks, for the offline gate. */
  accepted: AcceptedProposal[];
  /** Updates, merges and retires for curate. */
  proposals: (ProposedChange & { role: string | null })[];
  usage: Partial<DreamUsage>;
  /** For the dream's report: refusals, cut transcripts, failures. */
  notes: string[];
  summary: string;
}

/** The least a shown transcript gets (its verdict, first and last events). */
const MIN_TRANSCRIPT_CHARS = 400;
/** Room for the transcript note and the tags around each transcript, in characters. */
const TRANSCRIPT_OVERHEAD_CHARS = 1_000;

/**
 * Characters the transcripts may take so the request stays within `tokensLeft` (null: no budget,
 * `limit`), as `withTokenBudget` estimates it; or why no useful request fits. Transcripts count
 * a tenth more than their length (escaped newlines and quotes in the request's JSON).
 */
function fitToBudget(
  tokensLeft: number | null,
  bare: ModelRequest,
  limit: number,
): number | string {
  if (tokensLeft === null) return limit;
  const { prompt, output } = requestTokenEstimate(bare, 4096);
  const room = Math.floor(
    ((tokensLeft - prompt - output) * CHARS_PER_TOKEN - TRANSCRIPT_OVERHEAD_CHARS) / 1.1,
  );
  if (room < MIN_TRANSCRIPT_CHARS)
    return `model reflector skipped: ${tokensLeft} tokens are left of the dream's budget, and its instructions, playbooks and answer alone may take ~${prompt + output}`;
  return Math.min(limit, room);
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Failed sessions first spread over kinds (one per kind in turn), then successful ones alike. */
function pick(sessions: readonly ReviewedSession[], n: number): ReviewedSession[] {
  const byKind = new Map<string, ReviewedSession[]>();
  for (const s of sessions) byKind.set(s.kind, [...(byKind.get(s.kind) ?? []), s]);
  const queues = [...byKind.values()];
  const out: ReviewedSession[] = [];
  for (let round = 0; out.length < n && queues.some((q) => q.length > round); round++)
    for (const q of queues) if (q[round] && out.length < n) out.push(q[round]);
  return out;
}

function renderPlaybooks(
  roles: readonly (string | null)[],
  playbooks: ReadonlyMap<string | null, PlaybookBase | null>,
  maxChars: number,
): string {
  const parts: string[] = [];
  for (const role of roles) {
    const v = playbooks.get(role) ?? null;
    const live = (v?.entries ?? []).filter((e) => e.status !== 'retired');
    parts.push(`### ${role ?? 'agent'} (role: ${role === null ? 'null' : JSON.stringify(role)})`);
    if (!live.length) parts.push('(no entries yet)');
    for (const e of live)
      parts.push(
        `- id ${e.id} [${e.status}, helpful ${e.helpful}, harmful ${e.harmful}] ${e.title}: ${clip(e.guidance.replace(/\s+/g, ' '), 300)}${e.rule ? ` | rule: ${clip(describeRule(e.rule), 300)}` : ''}`,
      );
  }
  const text = parts.join('\n');
  return text.length > maxChars
    ? `${text.slice(0, maxChars)}\n… (the playbooks were cut at ${maxChars} characters)`
    : text;
}

/**
 * The model reflector for external sessions: reads compact transcripts of failed and successful
 * train sessions (with their verdicts and localisation) and the agent's current playbooks, and
 * asks the model, through the `propose_deltas` tool, for playbook deltas (add, update, merge,
 * retire). Every proposal is reviewed (`reviewProposals`: shape, known entry ids, the held-out
 * check on validation sessions, the content guards) and refused with its reason when it fails.
 * Only the dream's agent's sessions and playbooks reach the prompt. A failed call or an unusable
 * answer is a note in the report: the dream goes on with the builtin reflector's entries.
 */
export async function reflectExternalWithModel(
  input: ExternalReflectorInput,
  limits: ExternalReflectorLimits = DEFAULT_EXTERNAL_REFLECTOR_LIMITS,
): Promise<ExternalReflection> {
  const { model } = input;
  const notes: string[] = [];
  const nothing = (why: string): ExternalReflection => {
    notes.push(why);
    return { drafts: [], accepted: [], proposals: [], usage: {}, notes, summary: why };
  };

  // Tenant isolation: the dream's agent only (an agent belongs to one tenant).
  const own = input.train.filter((s) => input.agentOf.get(s.id) === model.agentId);
  const foreign = input.train.length - own.length;
  if (foreign)
    notes.push(
      `model reflector: ${foreign} session(s) of another agent left out of the prompt (only the dream's agent's sessions are shown)`,
    );
  const playbooks = new Map<string | null, PlaybookBase | null>();
  for (const role of input.roles) {
    const v = model.playbooks.get(role) ?? null;
    if (v && v.agentId !== model.agentId) {
      notes.push(
        `model reflector: a playbook of another agent was offered for role ${role ?? 'agent'} and left out`,
      );
      playbooks.set(role, null);
    } else playbooks.set(role, v);
  }
  const failed = pick(
    own.filter((s) => !s.succeeded),
    limits.failedSessions,
  );
  if (!failed.length) return nothing('model reflector: no failed train session to learn from');
  const succeeded = pick(
    own.filter((s) => s.succeeded),
    limits.succeededSessions,
  );
  const successesByKind = new Map<string, ReviewedSession[]>();
  for (const s of own.filter((x) => x.succeeded))
    successesByKind.set(s.kind, [...(successesByKind.get(s.kind) ?? []), s].slice(0, 20));

  let text: { system: string; brief: string };
  try {
    text = externalReflectorPrompts();
  } catch (e) {
    return nothing(`model reflector skipped: ${(e as Error).message}`);
  }
  const request = proposeRequest(input, limits, text, playbooks);
  const fit = fitToBudget(model.tokensLeft ?? null, request([], '', ''), limits.transcriptChars);
  if (typeof fit === 'string') return nothing(fit);
  if (fit < limits.transcriptChars)
    notes.push(
      `model reflector: the transcripts were given ${fit} characters instead of ${limits.transcriptChars}, to keep the call within what is left of the dream's token budget`,
    );
  // Failed sessions first, each shown transcript at least MIN_TRANSCRIPT_CHARS (fit is at least
  // that much).
  const shown = [...failed, ...succeeded].slice(0, Math.floor(fit / MIN_TRANSCRIPT_CHARS));
  const perSession = Math.floor(fit / shown.length);
  const {
    transcripts,
    cut,
    note,
    text: shownText,
  } = renderTranscripts(shown, successesByKind, perSession);
  if (cut.length)
    notes.push(
      `model reflector: ${cut.length} of ${transcripts.length} transcript(s) over the budget of ${perSession} characters were sampled: ${cut
        .slice(0, 5)
        .map((t) => `${t.sessionId} (${t.cut!.how}; ${t.cut!.originalChars} characters)`)
        .join('; ')}${cut.length > 5 ? `; and ${cut.length - 5} more` : ''}`,
    );

  let response;
  try {
    response = await model.provider.complete(request(shown, note, shownText));
  } catch (e) {
    return nothing(
      `model reflector failed: ${clip((e as Error).message ?? String(e), 300)}; the dream goes on with the builtin reflector's entries`,
    );
  }
  const usage: Partial<DreamUsage> = {
    input_tokens: response.usage.inputTokens,
    output_tokens: response.usage.outputTokens,
    cache_read_input_tokens: response.usage.cacheReadTokens,
    cache_creation_input_tokens: response.usage.cacheWriteTokens,
  };
  const call = response.toolCalls.find((c) => c.name === PROPOSE_TOOL.name);
  if (!call) {
    const why = `model reflector answer refused: no ${PROPOSE_TOOL.name} tool call (stop reason ${response.stopReason}${response.text ? `, text "${clip(response.text.replace(/\s+/g, ' '), 120)}"` : ''}); the dream goes on with the builtin reflector's entries`;
    notes.push(why);
    return { drafts: [], accepted: [], proposals: [], usage, notes, summary: why };
  }
  const review = reviewProposals(call.input, {
    playbooks,
    heldOut: input.heldOut,
    shown: new Set(shown.map((s) => s.id)),
  });
  if (review.malformed) {
    const why = `model reflector answer refused: ${review.malformed}; the dream goes on with the builtin reflector's entries`;
    notes.push(why);
    return { drafts: [], accepted: [], proposals: [], usage, notes, summary: why };
  }
  for (const r of review.refused)
    notes.push(
      `model reflector proposal ${r.index + 1} ("${clip(r.title, 80)}") refused: ${r.reason}`,
    );
  const drafts: RoleDraft[] = [];
  const proposals: ExternalReflection['proposals'] = [];
  for (const a of review.accepted) {
    if (a.delta.kind === 'add') {
      const e = a.delta.entry;
      drafts.push({
        role: a.role,
        alternative: 0,
        draft: {
          title: e.title,
          guidance: e.guidance,
          rationale: `${clip(e.rationale, 6_000)} (model reflector; held-out: ${a.check?.reason ?? 'not checked'})`,
          evidence: (e.evidence ?? []).map((x) => ({
            sessionId: x.sessionId,
            ...(x.step !== undefined && { step: x.step }),
          })),
          ...(e.rule && { rule: e.rule }),
        },
      });
    } else
      proposals.push({
        role: a.role,
        delta: a.delta,
        title: a.title,
        reason: `${a.reason} (model reflector${a.check ? `; held-out: ${a.check.reason}` : ''})`,
      });
  }
  const summary = `the model reflector read ${transcripts.length} transcript(s) (${cut.length} sampled) and proposed ${review.accepted.length + review.refused.length} delta(s): ${review.accepted.length} kept (${drafts.length} add, ${proposals.length} update/merge/retire), ${review.refused.length} refused`;
  return { drafts, accepted: review.accepted, proposals, usage, notes, summary };
}

/**
 * The request the model reflector sends, given the sessions shown, the note on their transcripts
 * and the transcripts themselves (empty for the budget's estimate of the rest).
 */
function proposeRequest(
  input: ExternalReflectorInput,
  limits: ExternalReflectorLimits,
  text: { system: string; brief: string },
  playbooks: ReadonlyMap<string | null, PlaybookBase | null>,
): (
  shown: readonly ReviewedSession[],
  transcriptNote: string,
  transcripts: string,
) => ModelRequest {
  const { model } = input;
  const builtin = input.builtin.length
    ? input.builtin
        .map(
          (d) =>
            `- ${d.role ?? 'agent'}: ${d.draft.title}${d.draft.rule ? ` | rule: ${clip(describeRule(d.draft.rule), 300)}` : ''}`,
        )
        .join('\n')
    : '(nothing)';
  const fixed = {
    environment: input.environment,
    roles: input.roles.map((r) => (r === null ? 'null (the agent)' : JSON.stringify(r))).join(', '),
    instructions: model.instructions.trim() ? clip(model.instructions.trim(), 2_000) : '(none)',
    playbooks: renderPlaybooks(input.roles, playbooks, limits.playbookChars),
    builtin,
  };
  return (shown, transcriptNote, transcripts) => ({
    system: [{ text: text.system, cache: true }],
    messages: [
      {
        role: 'user',
        content: fill(text.brief, {
          ...fixed,
          failedCount: String(shown.filter((s) => !s.succeeded).length),
          succeededCount: String(shown.filter((s) => s.succeeded).length),
          transcriptNote,
          transcripts,
        }),
      },
    ],
    tools: [PROPOSE_TOOL],
    toolChoice: { type: 'tool', name: PROPOSE_TOOL.name },
    ...(model.model && { model: model.model }),
    maxTokens: model.maxTokens ?? 4096,
  });
}

/** The shown sessions' compact transcripts, `perSession` characters each, for the prompt. */
function renderTranscripts(
  shown: readonly ReviewedSession[],
  successesByKind: ReadonlyMap<string, ReviewedSession[]>,
  perSession: number,
): { transcripts: CompactTranscript[]; cut: CompactTranscript[]; note: string; text: string } {
  const transcripts = shown.map((s) =>
    compactTranscript(
      s,
      s.succeeded ? null : localiseSession(s, successesByKind.get(s.kind) ?? []),
      perSession,
    ),
  );
  const cut = transcripts.filter((t) => t.cut);
  const note = cut.length
    ? `${cut.length} of ${transcripts.length} transcript(s) were too large for the budget of ${perSession} characters each and were sampled (each gap says how many events it leaves out).`
    : 'Every transcript is complete.';
  const text = transcripts
    .map(
      (t) =>
        `<transcript session="${t.sessionId}">\n${t.text.replace(/<\/?transcript/gi, '<_transcript')}\n</transcript>`,
    )
    .join('\n\n');
  return { transcripts, cut, note, text };
}
