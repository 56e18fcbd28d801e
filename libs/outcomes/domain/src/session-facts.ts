import type { SessionEventBody } from '@reverie/contracts';
import { FACT_NAMES, type OutcomeEnvironment } from './fact-names';
import {
  isRecord,
  NO_ANSWER,
  type EnvironmentFacts,
  type Facts,
  type FinalAnswer,
  type ModelCallFact,
  type SessionInfo,
  type TokenTotals,
} from './fact-types';
import { landerFacts } from './lander-facts';
import { SUBMIT_ANSWER, triageFacts } from './triage-facts';

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
 * The environment to compute facts for: the session's own when it names a known one, else what
 * the events show (a landing result → lunar-lander, a submit_answer → ci-log-triage), else
 * `external`.
 */
export function resolveEnvironment(
  events: readonly SessionEventBody[],
  environment?: string,
): OutcomeEnvironment {
  if (
    environment === 'lunar-lander' ||
    environment === 'ci-log-triage' ||
    environment === 'external'
  )
    return environment;
  for (const e of events) {
    if (e.type === 'observation' && isRecord(e.data.result) && 'touchdown' in e.data.result)
      return 'lunar-lander';
    if ((e.type === 'action' || e.type === 'tool_call') && e.name === SUBMIT_ANSWER)
      return 'ci-log-triage';
  }
  return 'external';
}

/** An external session's answer: the last assistant message, as JSON too when it parses. */
function lastAssistantMessage(events: readonly SessionEventBody[]): FinalAnswer {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type !== 'message' || e.role !== 'assistant') continue;
    let json: unknown = null;
    try {
      json = JSON.parse(e.content);
    } catch {
      json = null;
    }
    return { text: e.content, json, step: e.step ?? null };
  }
  return NO_ANSWER;
}

function environmentFacts(
  env: OutcomeEnvironment,
  events: readonly SessionEventBody[],
): EnvironmentFacts {
  switch (env) {
    case 'lunar-lander':
      return landerFacts(events);
    case 'ci-log-triage':
      return triageFacts(events);
    case 'external':
      return { values: {}, pointers: {}, absent: {}, finalAnswer: lastAssistantMessage(events) };
  }
}

/**
 * Computes the facts graders check from a session's events (in stored order): the generic ones
 * (status, steps, event and error counts, token totals) and the environment's (see FACT_NAMES),
 * each with the step it was taken at, plus the final answer, model calls and tool calls. Facts
 * of other environments are absent with the reason.
 */
export function sessionFacts(events: readonly SessionEventBody[], session: SessionInfo): Facts {
  const environment = resolveEnvironment(events, session.environment);
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

  const env = environmentFacts(environment, events);
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
  for (const other of ['lunar-lander', 'ci-log-triage'] as const)
    if (other !== environment)
      for (const name of Object.keys(FACT_NAMES[other]))
        absent[name] = `${name} is recorded only by ${other} sessions; this one is ${environment}`;

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
