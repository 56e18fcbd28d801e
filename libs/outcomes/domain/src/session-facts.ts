import type { SessionEventBody } from '@reverie/contracts';
import {
  DEFAULT_ENVIRONMENT,
  ENVIRONMENTS,
  findEnvironment,
  type EnvironmentDefinition,
} from '@reverie/environments';
import type { OutcomeEnvironment } from './fact-names';
import type { Facts, ModelCallFact, SessionInfo, TokenTotals } from './fact-types';

export type { Facts, FactValue, FinalAnswer, SessionInfo, TokenTotals } from './fact-types';

const zeroTokens = (): TokenTotals => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  total: 0,
});

function addTokens(into: TokenTotals, add: TokenTotals): void {
  into.input += add.input;
  into.output += add.output;
  into.cacheRead += add.cacheRead;
  into.cacheWrite += add.cacheWrite;
  into.total += add.total;
}

/**
 * The environment to compute facts for: the session's own when it names a registered one, else
 * the first whose events show it (a landing result → lunar-lander, a submit_answer →
 * ci-log-triage), else the default (`external`).
 */
export function resolveEnvironment(
  events: readonly SessionEventBody[],
  environment?: string,
): OutcomeEnvironment {
  return resolveDefinition(events, environment).name;
}

/**
 * The task a session worked, as its environment reads it from the events (see
 * EnvironmentGrading.taskKey), prefixed with the environment's name; null when it does not say.
 */
export function sessionTaskKey(
  events: readonly SessionEventBody[],
  environment?: string,
): string | null {
  const definition = resolveDefinition(events, environment);
  const key = definition.grading.taskKey?.(events);
  return key ? `${definition.name}:${key}` : null;
}

function resolveDefinition(
  events: readonly SessionEventBody[],
  environment?: string,
): EnvironmentDefinition<OutcomeEnvironment> {
  const named = findEnvironment(environment);
  if (named) return named;
  for (const e of events)
    for (const candidate of ENVIRONMENTS) if (candidate.grading.recognises?.(e)) return candidate;
  return DEFAULT_ENVIRONMENT;
}

/**
 * Computes the facts graders check from a session's events (in stored order): the generic ones
 * (status, steps, event and error counts, token totals) and the environment's (see FACT_NAMES),
 * each with the step it was taken at, plus the final answer, model calls and tool calls. Facts
 * of other environments are absent with the reason.
 */
export function sessionFacts(events: readonly SessionEventBody[], session: SessionInfo): Facts {
  const definition = resolveDefinition(events, session.environment);
  const environment = definition.name;
  const tokens = { ...zeroTokens(), byModel: {} as Record<string, TokenTotals> };
  const modelCalls: ModelCallFact[] = [];
  const toolCalls: Facts['toolCalls'] = [];
  let steps = 0;
  let lastStep: number | null = null;
  let errors = 0;
  for (const e of events) {
    if (e.step !== undefined) {
      steps = Math.max(steps, e.step);
      lastStep = e.step;
    }
    if (e.type === 'error') errors++;
    if (e.type === 'tool_call' || e.type === 'action')
      toolCalls.push({ name: e.name, step: e.step ?? null });
    if (e.type === 'model_call') {
      const u = e.usage;
      const usage: TokenTotals = {
        input: u.inputTokens,
        output: u.outputTokens,
        cacheRead: u.cacheReadTokens ?? 0,
        cacheWrite: u.cacheWriteTokens ?? 0,
        total: 0,
      };
      usage.total = usage.input + usage.output + usage.cacheRead + usage.cacheWrite;
      modelCalls.push({ provider: e.provider, model: e.model, step: e.step ?? null, usage });
      addTokens(tokens, usage);
      addTokens((tokens.byModel[e.model] ??= zeroTokens()), usage);
    }
  }

  const env = definition.grading.facts(events);
  const values = {
    'session.status': session.status,
    'session.steps': steps,
    'session.events': events.length,
    'session.errors': errors,
    'tokens.total': tokens.total,
    'tokens.input': tokens.input,
    'tokens.output': tokens.output,
    ...env.values,
  };
  const pointers = { ...env.pointers };
  if (lastStep !== null) pointers['session.steps'] = steps;
  const absent = { ...env.absent };
  for (const other of ENVIRONMENTS)
    if (other.name !== environment)
      for (const name of Object.keys(other.grading.factNames))
        absent[name] =
          `${name} is recorded only by ${other.name} sessions; this one is ${environment}`;

  return {
    environment,
    values,
    pointers,
    absent,
    finalAnswer: env.finalAnswer,
    steps,
    lastStep,
    tokens,
    modelCalls,
    toolCalls,
    recordedScore: env.recordedScore ?? null,
  };
}
