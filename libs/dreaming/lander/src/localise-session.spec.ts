import { expandFamily, rubricJudge, type RoleRules } from '@reverie/lunar-lander';
import { localiseSession, outlierScores } from './localise-session';
import { flyWithFault, type PlantedFault } from './planted-faults';
import { pilotRules, withoutRuleFirings } from '../test/pilot-team';

/** A team whose every role differs from the localiser's own (the day-one team). */
const PILOT: RoleRules = {
  navigator: pilotRules({ verticalGain: 0.8, velocityGain: 0.45, descentRateGain: 0.13 }),
  detector: pilotRules({ altitudeSmoothing: 0.3 }),
  commander: pilotRules({ terminalAltitude: 80 }),
};

describe('localiseSession (the localiser does not know the team that flew)', () => {
  const scenario = expandFamily('easy')[2];
  const judge = rubricJudge();

  it('flies the pilot to a satisfied landing without a fault', async () => {
    const clean = await flyWithFault(scenario, PILOT);
    expect(judge(clean.result).satisfied).toBe(true);
  }, 60_000);

  it.each([
    { role: 'commander', kind: 'wrong-retarget', step: 9, steps: 1 },
    { role: 'navigator', kind: 'engine-cut', step: 30, steps: 6 },
  ] as PlantedFault[])(
    'names the step and role of a planted $kind from the session, the rubric and its own team',
    async (fault) => {
      const run = await flyWithFault(scenario, PILOT, fault);
      expect(judge(run.result).satisfied).toBe(false);
      const found = await localiseSession({
        scenario,
        events: withoutRuleFirings(run.events),
        current: {},
        judge,
      });
      expect(found.verdict).toBe('localised');
      expect(Math.abs(found.step! - fault.step)).toBeLessThanOrEqual(2);
      expect(found.role).toBe(fault.role);
      expect(found.lastRecoverable).not.toBeNull();
      expect(found.confidence).toBeGreaterThan(0);
      expect(found.simulations).toBeLessThanOrEqual(81);
    },
    180_000,
  );

  it('says a planted fault that did no harm left nothing to place, naming no step', async () => {
    const fault: PlantedFault = { role: 'navigator', kind: 'hard-tilt', step: 12, steps: 4 };
    const run = await flyWithFault(scenario, PILOT, fault);
    const found = await localiseSession({
      scenario,
      events: withoutRuleFirings(run.events),
      current: {},
      judge,
    });
    expect(found).toMatchObject({ verdict: 'satisfied', step: null, role: null, simulations: 0 });
  }, 60_000);
});

describe('outlierScores', () => {
  it("judges a role's gap against its own habits in the flight, not against zero", () => {
    // A navigator that always differs by ~6 tolerances, once by 30; a detector that never differs.
    const gaps = Array.from({ length: 40 }, (_, i) => ({
      navigator: i === 25 ? 30 : 6 + (i % 3) * 0.5,
      detector: 0,
    }));
    const z = outlierScores(gaps);
    expect(z[10].navigator).toBeLessThan(1.5);
    expect(z[25].navigator).toBeGreaterThan(10);
    expect(z[10].detector).toBe(0);
    expect(z[10].commander).toBeUndefined();
  });
});
