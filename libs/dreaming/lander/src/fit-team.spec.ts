import type { SessionEventBody } from '@reverie/contracts';
import { expandFamily, type RoleRules } from '@reverie/lunar-lander';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { fitTeam } from './fit-team';
import { flyWithFault } from './planted-faults';
import { recordedSteps, shadowReplay, type StepGaps } from './shadow-replay';

const set = (params: Record<string, number>): PlaybookRule[] => [
  {
    entryId: 'pilot',
    title: 'pilot parameters',
    when: { feature: 'step', op: 'gte', value: 0 },
    then: { action: 'set', params },
  },
];

/** A team flying the late-ignition law with a slower scan and smoothed altitude. */
const PILOT: RoleRules = {
  navigator: set({ guidanceLaw: 1, brakingAccelFraction: 0.75, flareAltitude: 15, maxTiltDeg: 35 }),
  detector: set({ altitudeSmoothing: 0.3, scanEvery: 3 }),
  commander: set({ brakingAltitude: 700 }),
};

const withoutRules = (events: readonly SessionEventBody[]) =>
  events.filter((e) => !(e.type === 'action' && e.name === 'apply_rule'));

/** Steps where a role's gap exceeds its tolerance. */
const beyond = (gaps: readonly (StepGaps | undefined)[], role: keyof StepGaps) =>
  gaps.filter((g) => (g?.[role] ?? 0) > 1).length;

describe('fitTeam', () => {
  it('fits every role of a team that differs from the own one, so its recorded decisions match', async () => {
    const scenario = expandFamily('easy')[2];
    const run = await flyWithFault(scenario, PILOT);
    const recorded = recordedSteps(scenario, withoutRules(run.events));
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
    const recorded = recordedSteps(scenario, withoutRules(run.events));
    const own = await shadowReplay(scenario, recorded, {});
    const fitted = fitTeam(scenario, recorded, {}, own.gaps);
    expect(fitted.roles).toEqual({});
    expect(fitted.rules).toEqual({});
  }, 60_000);
});
