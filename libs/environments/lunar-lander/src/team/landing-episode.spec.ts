import type { SessionEventBody } from '@reverie/contracts';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { scenarioFor } from '../scenario-families';
import { LanderSimulator } from '../simulator';
import { BuiltinLunarTeam } from './builtin-team';
import { LANDER_START_FEATURES } from './features';
import { flyLanding } from './landing-episode';
import { recordedCommands, recordedScenario, replayCommands } from './replay';

async function fly(family: string, index: number, rules = {}) {
  const events: SessionEventBody[] = [];
  const run = await flyLanding(scenarioFor(family, index), new BuiltinLunarTeam(rules), {
    onEvents: (e) => void events.push(...e),
  });
  return { ...run, events };
}

describe('flyLanding with the builtin team', () => {
  it('records every step attributed to its role, and ends with the touchdown report', async () => {
    const { result, events, telemetry } = await fly('easy', 0);
    expect(result.status).not.toBe('flying');
    expect(result.steps).toBeGreaterThan(10);
    expect(telemetry).toHaveLength(result.steps + 1);
    const at = (step: number) =>
      events
        .filter((e) => e.step === step)
        .map((e) => `${e.actor}:${e.type}${'name' in e ? `:${e.name}` : ''}`);
    expect(at(1)).toEqual([
      'detector:message',
      'navigator:action:command',
      'environment:observation',
    ]);
    expect(events.find((e) => e.type === 'message' && e.actor === 'detector')).toMatchObject({
      to: 'commander',
    });
    const last = events.at(-1) as Extract<SessionEventBody, { type: 'observation' }>;
    expect(last.data).toMatchObject({ result: { scenarioId: 'easy-00', status: result.status } });
    if (result.touchdown) {
      expect(result.touchdown.fuelUsed).toBeCloseTo(result.fuelUsed, 6);
      expect(result.fuelLimit).toBeGreaterThan(0);
      expect(result.fuelUsed).toBeGreaterThan(result.fuelLimit!);
    }
    expect(new Set(events.map((e) => e.clientEventId)).size).toBe(events.length);
  });

  it('is deterministic: the same scenario flies the same way twice', async () => {
    const a = await fly('downrange', 3);
    const b = await fly('downrange', 3);
    expect(b.events).toEqual(a.events);
  });

  it('can be replayed bit for bit from its recorded scenario and commands, from any step', async () => {
    const { events } = await fly('boulder-field', 2);
    const scenario = recordedScenario(events)!;
    const commands = recordedCommands(events);
    const full = replayCommands(scenario, commands);
    const last = events.at(-1) as Extract<SessionEventBody, { type: 'observation' }>;
    const result = last.data.result as { touchdown: unknown; status: string };
    expect(full.status).toBe(result.status);
    expect(full.touchdown).toEqual(result.touchdown);

    // Checkpoint half-way (through JSON, as the dreamer stores it) and continue.
    const half = replayCommands(scenario, commands, { untilStep: Math.floor(commands.length / 2) });
    const restored = LanderSimulator.restore(
      scenario,
      JSON.parse(JSON.stringify(half.checkpoint())),
    );
    const resumed = replayCommands(scenario, commands, { from: restored });
    expect(resumed.checkpoint()).toEqual(full.checkpoint());
  });

  it("follows each role's playbook rules and records every rule that fired", async () => {
    const navigatorRules: PlaybookRule[] = [
      {
        entryId: 'ent_slow',
        title: 'descend slowly near the ground',
        when: { feature: 'altitude', op: 'lt', value: 40 },
        then: { action: 'set', params: { descentRateGain: 0.05 } },
      },
    ];
    const bad: PlaybookRule[] = [
      {
        entryId: 'ent_bad',
        title: 'a throttle the engine cannot give',
        when: { feature: 'altitude', op: 'lt', value: 10 },
        then: { action: 'set_throttle', params: { throttle: 0.8 } },
      },
    ];
    const { events } = await fly('easy', 1, { navigator: [...navigatorRules, ...bad] });
    const fired = events.filter((e) => e.type === 'action' && e.name === 'apply_rule');
    expect(fired.length).toBeGreaterThan(0);
    expect(fired.every((e) => e.actor === 'navigator')).toBe(true);
    expect(fired[0]).toMatchObject({ params: { entryId: 'ent_slow', action: 'set' } });
    expect(events.find((e) => e.type === 'observation' && 'skippedRules' in e.data)).toMatchObject({
      actor: 'navigator',
      data: {
        skippedRules: [
          { entryId: 'ent_bad', reason: expect.stringContaining('0 (off), 0.1 to 0.6, or 1') },
        ],
      },
    });
  });
});

describe('predictive late-ignition guidance in flight', () => {
  const lateIgnition: PlaybookRule = {
    entryId: 'ent_late',
    title: 'late-ignition law, engine off while coasting',
    when: { feature: 'step', op: 'gte', value: 0 },
    then: { action: 'set', params: { guidanceLaw: 1, engineOffBelow: 0.05 } },
  };

  it('lands with propellant for only 1.1-1.2x the vertical limit, where the day-one law runs dry', async () => {
    for (const index of [0, 1, 2]) {
      const day1 = (await fly('tight-fuel', index)).result;
      const late = (await fly('tight-fuel', index, { navigator: [lateIgnition] })).result;
      expect(day1.safe).toBe(false);
      expect(late.safe).toBe(true);
      // Close to the fuel-optimal vertical burn, though it decides only once a second.
      expect(late.fuelUsed / late.fuelLimit!).toBeLessThan(1.1);
      expect(late.touchdown!.verticalSpeed).toBeLessThan(3);
    }
  }, 60_000);

  it("reads a lagging engine's gauge and lands where a law blind to the lag would not", async () => {
    for (const index of [0, 1]) {
      const base = scenarioFor('tight-fuel', index);
      const scenario = { ...base, craft: { ...base.craft, throttleLagSeconds: 2 } };
      const team = new BuiltinLunarTeam({ navigator: [lateIgnition] });
      const { result } = await flyLanding(scenario, team, {});
      expect(result.safe).toBe(true);
      expect(result.fuelUsed / result.fuelLimit!).toBeLessThan(1.2);
    }
  }, 60_000);
});

describe('late-ignition guidance with sideways braking', () => {
  const tilted: PlaybookRule = {
    entryId: 'ent_late_tilted',
    title: 'late-ignition law, engine off while coasting, up to 60 degrees of tilt',
    when: { feature: 'step', op: 'gte', value: 0 },
    then: { action: 'set', params: { guidanceLaw: 1, engineOffBelow: 0.05, maxTiltDeg: 60 } },
  };

  it('nulls 45-80 m/s of sideways speed and lands near a site a kilometre away, within 2x the vertical limit', async () => {
    for (const index of [1, 2, 3]) {
      const { result } = await fly('crosswind', index, { navigator: [tilted] });
      expect(result.safe).toBe(true);
      expect(result.touchdown!.distanceToTarget).toBeLessThan(50);
      expect(result.fuelUsed / result.fuelLimit!).toBeLessThan(2);
    }
  }, 60_000);

  it('records what the crew saw at the start, and a rule scoped by it holds on those flights only', async () => {
    const guidance = (when: PlaybookRule['when']): PlaybookRule[] => [
      {
        entryId: 'ent_gain',
        title: 'a slower descent',
        when,
        then: { action: 'set', params: { descentRateGain: 0.05 } },
      },
    ];
    const plain = await fly('easy', 2);
    const start = plain.result.start as Record<string, number>;
    expect(Object.keys(start).sort()).toEqual(Object.keys(LANDER_START_FEATURES).sort());
    expect(start.start_altitude).toBeGreaterThan(100);
    expect(start.start_fuel).toBe(scenarioFor('easy', 2).craft.fuelKg);
    expect(start.start_engine_lag).toBe(0);
    // A lagging engine's gauge gives its lag, so a rule can hold for lagging craft only.
    const lagging = scenarioFor('easy', 2);
    lagging.craft.throttleLagSeconds = 1.7;
    const slow = await flyLanding(lagging, new BuiltinLunarTeam({}), { record: false });
    expect(slow.result.start?.start_engine_lag).toBe(1.7);
    const always = await fly('easy', 2, {
      navigator: guidance({ feature: 'step', op: 'gte', value: 0 }),
    });
    const scoped = (op: 'lt' | 'gte') =>
      fly('easy', 2, {
        navigator: guidance({
          all: [
            { feature: 'step', op: 'gte', value: 0 },
            { feature: 'start_altitude', op, value: start.start_altitude + 1 },
          ],
        }),
      });
    // Inside the scope the flight is the unscoped rule's, outside it the flight without the rule.
    expect((await scoped('lt')).result).toEqual(always.result);
    expect((await scoped('gte')).result).toEqual(plain.result);
    expect(always.result).not.toEqual(plain.result);
  });
});
