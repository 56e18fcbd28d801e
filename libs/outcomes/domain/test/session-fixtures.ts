import type { SessionEventBody } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  flyLanding,
  scenarioFor,
  type LandingResult,
  type TouchdownReport,
} from '@reverie/lunar-lander';

export type Observation = Extract<SessionEventBody, { type: 'observation' }>;

const flights = new Map<string, Promise<{ events: SessionEventBody[]; result: LandingResult }>>();

/** A real flight of the builtin team, flown once per scenario and shared by the tests. */
export function flown(family: string, index: number) {
  const key = `${family}-${index}`;
  let flight = flights.get(key);
  if (!flight) {
    flight = (async () => {
      const events: SessionEventBody[] = [];
      const run = await flyLanding(scenarioFor(family, index), new BuiltinLunarTeam(), {
        onEvents: (e) => void events.push(...e),
      });
      return { events, result: run.result };
    })();
    flights.set(key, flight);
  }
  return flight;
}

/** The flight's events with its result replaced (a constructed ending for a real flight). */
export function withResult(
  events: readonly SessionEventBody[],
  change: (result: LandingResult) => LandingResult,
): SessionEventBody[] {
  const last = events.at(-1) as Observation;
  const result = structuredClone(last.data.result) as LandingResult;
  return [...events.slice(0, -1), { ...last, data: { result: change(result) } }];
}

const landed = (
  r: LandingResult,
  touchdown: Partial<TouchdownReport>,
  status: LandingResult['status'] = 'landed',
): LandingResult => {
  if (!r.touchdown) throw new Error(`${r.scenarioId} did not touch down; pick a flight that does`);
  return {
    ...r,
    status,
    touchdown: { ...r.touchdown, ...touchdown },
    safe: touchdown.verdict === 'safe',
  };
};

/** Hard landing: 4.2 m/s sink rate at contact. */
export const hard = (r: LandingResult) =>
  landed(r, { verdict: 'hard', violations: ['vertical_speed'], verticalSpeed: 4.2 });
/** Tipped over: 14° of tilt at contact. */
export const tipped = (r: LandingResult) =>
  landed(r, { verdict: 'tipped', violations: ['tilt'], tiltDeg: 14 });
/** The tanks ran dry before contact. */
export const outOfFuel = (r: LandingResult) =>
  landed(r, {
    verdict: 'out_of_fuel',
    violations: ['vertical_speed', 'out_of_fuel'],
    verticalSpeed: 6.5,
    fuelLeft: 0,
  });
/** Hit the ground at 12 m/s. */
export const crashed = (r: LandingResult) =>
  landed(r, { verdict: 'crashed', violations: ['vertical_speed'], verticalSpeed: 12 }, 'crashed');
/** Gave up before touching down. */
export const aborted = (r: LandingResult): LandingResult => ({
  ...r,
  status: 'aborted',
  touchdown: null,
  safe: false,
});

let seq = 0;
const id = (kind: string, step: number) => `s${step}.${kind}.${++seq}`;

/** Events of a model triager: one model call per turn, tool calls with their results. */
export const triage = {
  modelCall: (
    step: number,
    model: string,
    input: number,
    output: number,
    cacheRead = 0,
  ): SessionEventBody => ({
    clientEventId: id('model_call', step),
    type: 'model_call',
    actor: 'triager',
    step,
    provider: model === 'builtin' ? 'builtin' : 'anthropic',
    model,
    usage: {
      inputTokens: input,
      outputTokens: output,
      cacheReadTokens: cacheRead,
      cacheWriteTokens: 0,
    },
  }),
  say: (step: number, role: 'assistant' | 'user', content: string): SessionEventBody => ({
    clientEventId: id('message', step),
    type: 'message',
    actor: role === 'assistant' ? 'triager' : 'user',
    step,
    role,
    content,
  }),
  /** A tool call and its result (an error when `error` is given). */
  tool: (
    step: number,
    name: string,
    input: Record<string, unknown>,
    error?: string,
  ): SessionEventBody[] => {
    const callId = id('call', step);
    return [
      {
        clientEventId: id('tool_call', step),
        type: 'tool_call',
        actor: 'triager',
        step,
        toolCallId: callId,
        name,
        input,
      },
      {
        clientEventId: id('tool_result', step),
        type: 'tool_result',
        actor: 'triager',
        step,
        toolCallId: callId,
        output: error ?? input,
        isError: error !== undefined,
      },
    ];
  },
  result: (step: number, result: Record<string, unknown>): SessionEventBody => ({
    clientEventId: id('result', step),
    type: 'observation',
    actor: 'triager',
    step,
    data: { result },
  }),
  error: (step: number, message: string, code?: string): SessionEventBody => ({
    clientEventId: id('error', step),
    type: 'error',
    step,
    message,
    ...(code ? { code } : {}),
  }),
};

/**
 * A model triage session: reads, a failed search it recovers from, a submit of lines 40-44, and
 * the environment's recorded score against labels 42-46 (P = R = F1 = 0.6).
 */
export function modelTriageEvents(): SessionEventBody[] {
  return [
    triage.modelCall(1, 'claude-sonnet-4-5-20250929', 1_000, 200, 5_000),
    triage.say(1, 'assistant', 'Let me read the failing log.'),
    ...triage.tool(1, 'read_lines', { start: 1, end: 50 }),
    triage.modelCall(2, 'claude-sonnet-4-5-20250929', 2_000, 100),
    ...triage.tool(2, 'search', { pattern: '(' }, 'invalid regular expression'),
    ...triage.tool(2, 'search', { pattern: 'ERROR' }),
    triage.modelCall(3, 'claude-haiku-4-5', 3_000, 300),
    ...triage.tool(3, 'submit_answer', { ranges: [{ start: 40, end: 44 }] }),
    triage.result(3, { answer: [{ start: 40, end: 44 }], precision: 0.6, recall: 0.6, f1: 0.6 }),
  ];
}

/** The labelled error lines of the triage case above. */
export const TRIAGE_LABELS = [{ start: 42, end: 46 }];
