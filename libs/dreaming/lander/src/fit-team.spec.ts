import { expandFamily, type RoleRules } from '@reverie/lunar-lander';
import { fitTeam } from './fit-team';
import { flyWithFault } from './planted-faults';
import { recordedSteps, shadowReplay, type StepGaps } from './shadow-replay';
import { pilotRules, withoutRuleFirings } from '../test/pilot-team';

/** A team flying the late-ignition law with a slower scan and smoothed altitude. */
const PILOT: RoleRules = {
  navigator: pilotRules({
    guidanceLaw: 1,
    brakingAccelFraction: 0.75,
    flareAltitude: 15,
    maxTiltDeg: 35,
  }),
  detector: pilotRules({ altitudeSmoothing: 0.3, scanEvery: 3 }),
  commander: pilotRules({ brakingAltitude: 700 }),
};

/** Steps where a role's gap exceeds its tolerance. */
const beyond = (gaps: readonly (StepGaps | undefined)[], role: keyof StepGaps) =>
  gaps.filter((g) => (g?.[role] ?? 0) > 1).length;

describe('fitTeam', () => {
  it('fits every role of a team that differs from the own one, so its recorded decisions match', async () => {
    const scenario = expandFamily('easy')[2];
    const run = await flyWithFault(scenario, PILOT);
    const recorded = recordedSteps(scenario, withoutRuleFirings(run.events));
    const own = await shadowReplay(scenario, recorded, {});
    const fitted = fitTeam(scenario, recorded, {}, own.gaps);
    const after = await shadowReplay(scenario, recorded, fitted.rules);
    for (const role of ['navigator', 'detector', 'commander'] as const) {
      const fit = fitted.roles[role];
      expect(fit).toBeDefined();
      expect(fit?.loss).toBeLessThan(fit?.ownLoss ?? 0);
      expect(beyond(after.gaps, role)).toBeLessThan(beyond(own.gaps, role));
    }
    // Most steps now match within tolerance.
    expect(beyond(after.gaps, 'navigator')).toBeLessThan(0.1 * after.gaps.length);
  }, 60_000);

  it('keeps the own playbook when the team that flew is the own one', async () => {
    const scenario = expandFamily('easy')[2];
    const run = await flyWithFault(scenario, {});
    const recorded = recordedSteps(scenario, withoutRuleFirings(run.events));
    const own = await shadowReplay(scenario, recorded, {});
    const fitted = fitTeam(scenario, recorded, {}, own.gaps);
    expect(fitted.roles).toEqual({});
    expect(fitted.rules).toEqual({});
  }, 60_000);
});
