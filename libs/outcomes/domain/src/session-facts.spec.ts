import type { SessionEventBody } from '@reverie/contracts';
import {
  aborted,
  crashed,
  flown,
  hard,
  modelTriageEvents,
  outOfFuel,
  tipped,
  triage,
  withResult,
  type Observation,
} from '../test/session-fixtures';
import { FACT_NAMES } from './fact-names';
import { sessionFacts } from './session-facts';

const completed = { status: 'completed' as const };

describe('sessionFacts of a real lunar flight (easy-00, builtin team)', () => {
  it('reads the landing result, pointing touchdown facts at the last step', async () => {
    const { events, result } = await flown('easy', 0);
    const facts = sessionFacts(events, { ...completed, environment: 'lunar-lander' });
    const td = result.touchdown;
    if (!td || result.fuelLimit === null) throw new Error('easy-00 should touch down');
    expect(result.safe).toBe(true);
    expect(facts.environment).toBe('lunar-lander');
    expect(facts.values).toMatchObject({
      'session.status': 'completed',
      'session.steps': result.steps,
      'session.events': events.length,
      'session.errors': 0,
      'tokens.total': 0,
      'flight.status': 'landed',
      'touchdown.safe': true,
      'touchdown.verdict': 'safe',
      'touchdown.vertical_speed': td.verticalSpeed,
      'touchdown.horizontal_speed': td.horizontalSpeed,
      'touchdown.tilt_deg': td.tiltDeg,
      'touchdown.slope_deg': td.slopeDeg,
      'touchdown.boulder_height': td.boulderHeight,
      'touchdown.distance_to_site': td.distanceToTarget,
      'fuel.used': result.fuelUsed,
      'fuel.left': td.fuelLeft,
      'fuel.limit': result.fuelLimit,
      'flight.seconds': result.seconds,
    });
    expect(facts.values['fuel.over_limit']).toBeCloseTo(result.fuelUsed / result.fuelLimit, 9);
    expect(facts.steps).toBe(result.steps);
    expect(facts.lastStep).toBe(result.steps);
    expect(facts.pointers['touchdown.vertical_speed']).toBe(result.steps);
    expect(facts.pointers['flight.status']).toBe(result.steps);
    expect(facts.finalAnswer).toEqual({
      text: JSON.stringify(result),
      json: result,
      step: result.steps,
    });
    expect(facts.toolCalls.filter((t) => t.name === 'command')).toHaveLength(result.steps);
    // Every other environment's facts are absent (with why), none of the lander's.
    const others = (Object.keys(FACT_NAMES) as (keyof typeof FACT_NAMES)[])
      .filter((env) => env !== 'generic' && env !== 'lunar-lander')
      .flatMap((env) => Object.keys(FACT_NAMES[env]));
    expect(others).toEqual(expect.arrayContaining(Object.keys(FACT_NAMES['ci-log-triage'])));
    expect(Object.keys(facts.absent).sort()).toEqual(others.sort());
  });

  it('points each telemetry maximum at the step where it occurred', async () => {
    const { events } = await flown('easy', 0);
    const facts = sessionFacts(events, completed);
    expect(facts.environment).toBe('lunar-lander'); // inferred from the result
    const samples = events
      .filter((e): e is Observation => e.type === 'observation' && 'telemetry' in e.data)
      .map((e) => ({
        step: e.step,
        t: e.data.telemetry as { vx: number; vz: number; pitchDeg: number },
      }));
    const speedAt = samples.filter((s) => s.step === facts.pointers['telemetry.max_speed']);
    expect(speedAt.map((s) => Math.hypot(s.t.vx, s.t.vz))).toContain(
      facts.values['telemetry.max_speed'],
    );
    for (const s of samples)
      expect(Math.hypot(s.t.vx, s.t.vz)).toBeLessThanOrEqual(
        facts.values['telemetry.max_speed'] as number,
      );
    const tiltAt = samples.filter((s) => s.step === facts.pointers['telemetry.max_tilt_deg']);
    expect(tiltAt.map((s) => Math.abs(s.t.pitchDeg))).toContain(
      facts.values['telemetry.max_tilt_deg'],
    );
    expect(facts.values['telemetry.max_tilt_deg']).toBeGreaterThan(0);
  });
});

describe('sessionFacts of constructed landings', () => {
  const factsOf = async (change: Parameters<typeof withResult>[1]) =>
    sessionFacts(withResult((await flown('easy', 0)).events, change), completed).values;

  it('hard: the sink rate at contact', async () => {
    expect(await factsOf(hard)).toMatchObject({
      'touchdown.vertical_speed': 4.2,
      'touchdown.verdict': 'hard',
      'touchdown.safe': false,
    });
  });

  it('tipped, out of fuel, crashed', async () => {
    expect(await factsOf(tipped)).toMatchObject({
      'touchdown.tilt_deg': 14,
      'touchdown.verdict': 'tipped',
    });
    expect(await factsOf(outOfFuel)).toMatchObject({
      'fuel.left': 0,
      'touchdown.verdict': 'out_of_fuel',
    });
    expect(await factsOf(crashed)).toMatchObject({
      'flight.status': 'crashed',
      'touchdown.vertical_speed': 12,
    });
  });

  it('aborted: touchdown facts are absent, saying the flight never touched down', async () => {
    const { events, result } = await flown('easy', 0);
    const facts = sessionFacts(withResult(events, aborted), completed);
    expect(facts.values).toMatchObject({ 'flight.status': 'aborted', 'touchdown.safe': false });
    expect(facts.values).not.toHaveProperty('touchdown.vertical_speed');
    expect(facts.values['fuel.left']).toBeGreaterThan(0); // from the last telemetry sample
    expect(facts.absent['touchdown.vertical_speed']).toBe(
      `the flight ended aborted at step ${result.steps} without touching down`,
    );
  });

  it('an unfinished flight has no result facts', async () => {
    const { events } = await flown('easy', 0);
    const facts = sessionFacts(events.slice(0, -1), {
      status: 'running',
      environment: 'lunar-lander',
    });
    expect(facts.values).not.toHaveProperty('flight.status');
    expect(facts.absent['flight.status']).toMatch(/recorded no landing result/);
    expect(facts.finalAnswer.text).toBeNull();
  });
});

describe('sessionFacts of other sessions', () => {
  it('triage: the submitted ranges, token totals by model, and the recorded score', () => {
    const facts = sessionFacts(modelTriageEvents(), { ...completed, environment: 'ci-log-triage' });
    expect(facts.values).toMatchObject({
      'answer.ranges': 1,
      'answer.lines': 5,
      'tokens.input': 6_000,
      'tokens.output': 600,
      'tokens.total': 11_600,
      'session.steps': 3,
    });
    expect(facts.pointers['answer.ranges']).toBe(3);
    expect(facts.finalAnswer).toEqual({
      text: '{"ranges":[{"start":40,"end":44}]}',
      json: { ranges: [{ start: 40, end: 44 }] },
      step: 3,
    });
    expect(facts.tokens.byModel['claude-haiku-4-5']).toEqual({
      input: 3_000,
      output: 300,
      cacheRead: 0,
      cacheWrite: 0,
      total: 3_300,
    });
    expect(facts.tokens.cacheRead).toBe(5_000);
    expect(facts.recordedScore).toEqual({ precision: 0.6, recall: 0.6, f1: 0.6 });
    expect(facts.absent['touchdown.vertical_speed']).toMatch(/only by lunar-lander sessions/);
  });

  it('triage by the builtin triager: the submit_answer action; a rejected submit is no answer', () => {
    const builtin: SessionEventBody[] = [
      {
        clientEventId: 'a',
        type: 'action',
        step: 0,
        name: 'select_candidates',
        params: { ranges: [] },
      },
      {
        clientEventId: 'b',
        type: 'action',
        step: 2,
        name: 'submit_answer',
        params: { ranges: [{ start: 3, end: 3 }] },
      },
    ];
    const facts = sessionFacts(builtin, completed);
    expect(facts.environment).toBe('ci-log-triage');
    expect(facts.finalAnswer.json).toEqual({ ranges: [{ start: 3, end: 3 }] });

    const rejected = sessionFacts(
      triage.tool(1, 'submit_answer', { ranges: 'all' }, 'ranges must be a list'),
      completed,
    );
    expect(rejected.finalAnswer.text).toBeNull();
    expect(rejected.absent['answer.ranges']).toBe(
      'the session submitted no answer (no submit_answer)',
    );
  });

  it('external: the last assistant message is the answer, as JSON when it parses', () => {
    const facts = sessionFacts(
      [
        triage.say(1, 'assistant', 'thinking'),
        triage.say(2, 'assistant', '{"verdict":"ok"}'),
        triage.error(3, 'boom'),
      ],
      { status: 'failed' },
    );
    expect(facts.environment).toBe('external');
    expect(facts.finalAnswer).toEqual({
      text: '{"verdict":"ok"}',
      json: { verdict: 'ok' },
      step: 2,
    });
    expect(facts.values).toMatchObject({
      'session.status': 'failed',
      'session.errors': 1,
      'session.steps': 3,
    });
    const plain = sessionFacts([triage.say(1, 'assistant', 'done')], completed);
    expect(plain.finalAnswer).toEqual({ text: 'done', json: null, step: 1 });
  });
});
