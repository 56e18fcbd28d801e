import type { SessionEventBody } from '@reverie/contracts';
import {
  callTriageTool,
  resultEvent,
  TRIAGE_TOOLS,
  triageResult,
  TRIAGER,
  type LineRange,
  type TriageCase,
  type TriageResult,
} from '@reverie/ci-log-triage';
import {
  runToolLoop,
  type ModelProvider,
  type SystemBlock,
  type ToolDefinition,
  type ToolHandler,
  type ToolInputSchema,
} from '@reverie/models';

export const TRIAGE_INSTRUCTIONS = [
  'You triage failed CI builds. You can read the failing build log (fail.log) and the last passing one (pass.log) with the tools.',
  'Find the lines of fail.log that explain why the build failed: the error message itself, not the noise around it.',
  'Answer by calling submit_answer once with those line ranges (1-based, inclusive); that ends the task.',
].join('\n');

// The triage lib states tools in the Messages API's wire shape (`input_schema`); the provider
// interface wants `inputSchema`.
const TOOLS: ToolDefinition[] = TRIAGE_TOOLS.map((t) => ({
  name: t.name,
  description: t.description,
  inputSchema: t.input_schema as ToolInputSchema,
}));

export interface ModelTriageOptions {
  provider: ModelProvider;
  model?: string;
  maxTokens?: number;
  maxTurns: number;
  /** The playbook rendered for a model, sent as a cached system block; null: no playbook yet. */
  playbookMarkdown: string | null;
  /** On a revision: the grader's explanation of what the previous answer got wrong. */
  feedback?: string;
  /** Receives each turn's events as they happen, in order. */
  record: (events: SessionEventBody[]) => Promise<void>;
}

/** The model stopped without calling submit_answer. */
export class NoAnswerError extends Error {}

/** Thrown from the tool hook to leave the loop once the answer is in: submitting ends the task. */
class Submitted {
  constructor(readonly ranges: LineRange[]) {}
}

/**
 * A model triages one case with the triage tools: every model call is recorded as a `model_call`
 * event with its token usage (so a session's spend is known), every tool call and result as
 * events with the turn as their step, and the answer submitted with submit_answer is graded.
 */
export async function runModelTriage(
  triageCase: TriageCase,
  options: ModelTriageOptions,
): Promise<TriageResult> {
  const ctx = { failLines: triageCase.failLines, passLines: triageCase.passLines };
  const system: SystemBlock[] = [{ text: TRIAGE_INSTRUCTIONS }];
  if (options.playbookMarkdown) system.push({ text: options.playbookMarkdown, cache: true });
  let callsInTurn = 0;
  let lastTurn = 0;
  const tools: Record<string, ToolHandler> = Object.fromEntries(
    TOOLS.map((t) => [
      t.name,
      async (input: unknown) => {
        const outcome = callTriageTool(ctx, t.name, input);
        // The model reads what was wrong and can correct itself.
        if (!outcome.ok) throw new Error(outcome.error);
        return outcome.result;
      },
    ]),
  );

  try {
    const loop = await runToolLoop(
      options.provider,
      {
        system,
        messages: [
          {
            role: 'user',
            content:
              `Build ${triageCase.id} failed. fail.log has ${ctx.failLines.length} lines, pass.log has ${ctx.passLines.length}. Which lines of fail.log explain the failure?` +
              (options.feedback
                ? `\n\nYour previous answer was graded and needs revision:\n${options.feedback}\nAnswer again with submit_answer.`
                : ''),
          },
        ],
        tools: TOOLS,
        model: options.model,
        maxTokens: options.maxTokens,
      },
      tools,
      {
        maxTurns: options.maxTurns,
        onCall: async (usage, turn, response) => {
          callsInTurn = 0;
          lastTurn = turn;
          const at = { actor: TRIAGER, step: turn };
          const events: SessionEventBody[] = [
            {
              ...at,
              clientEventId: `step-${turn}-model_call`,
              type: 'model_call',
              provider: options.provider.name,
              model: response.model,
              usage,
              stopReason: response.stopReason,
            },
          ];
          if (response.text)
            events.push({
              ...at,
              clientEventId: `step-${turn}-message`,
              type: 'message',
              role: 'assistant',
              content: response.text,
            });
          await options.record(events);
        },
        onToolResult: async (call, result, turn) => {
          const n = ++callsInTurn;
          const at = { actor: TRIAGER, step: turn };
          await options.record([
            {
              ...at,
              clientEventId: `step-${turn}-tool_call-${n}`,
              type: 'tool_call',
              toolCallId: `call-${turn}-${n}`,
              name: call.name,
              input: isObject(call.input) ? call.input : { value: call.input },
            },
            {
              ...at,
              clientEventId: `step-${turn}-tool_result-${n}`,
              type: 'tool_result',
              toolCallId: `call-${turn}-${n}`,
              output: parseJson(result.content),
              isError: result.isError ?? false,
            },
          ]);
          if (call.name === 'submit_answer' && !result.isError) {
            throw new Submitted((parseJson(result.content) as { ranges: LineRange[] }).ranges);
          }
        },
      },
    );
    throw new NoAnswerError(
      loop.stoppedBy === 'max_turns'
        ? `the model used all ${options.maxTurns} turns without calling submit_answer`
        : `the model stopped after ${loop.turns} turn(s) without calling submit_answer`,
    );
  } catch (err) {
    if (!(err instanceof Submitted)) throw err;
    const result = triageResult(err.ranges, triageCase.errorRanges);
    await options.record([resultEvent(result, lastTurn)]);
    return result;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
