import { expandFamily } from '@reverie/lunar-lander';
import { localiseByShadowReplay, localiseFromFamily } from './localise-divergence';
import { flyWithFault } from './planted-faults';

describe('localisation of planted faults', () => {
  const scenario = expandFamily('easy')[2];

  it.each([
    { role: 'navigator', kind: 'engine-cut', step: 12, steps: 3 },
    { role: 'commander', kind: 'wrong-retarget', step: 9, steps: 1 },
    { role: 'detector', kind: 'false-altitude', step: 15, steps: 3 },
  ] as const)(
    'names the step and role of a planted $kind',
    async (fault) => {
      const clean = await flyWithFault(scenario, {}, { ...fault, step: -10 });
      expect(clean.result.safe).toBe(true);
      const { events } = await flyWithFault(scenario, {}, fault);
      const found = await localiseByShadowReplay(scenario, events, {});
      expect(found).not.toBeNull();
      expect(Math.abs(found!.step - fault.step)).toBeLessThanOrEqual(2);
      expect(found!.role).toBe(fault.role);
    },
    120_000,
  );

  it('says nothing when the flight never left the reference team', async () => {
    const { events } = await flyWithFault(
      scenario,
      {},
      { role: 'navigator', kind: 'engine-cut', step: -10, steps: 0 },
    );
    expect(await localiseByShadowReplay(scenario, events, {})).toBeNull();
  }, 60_000);

  it('falls back to the divergence from a successful flight of the family, with a low confidence', async () => {
    const ok = await flyWithFault(
      scenario,
      {},
      { role: 'navigator', kind: 'engine-cut', step: -10, steps: 0 },
    );
    const bad = await flyWithFault(
      scenario,
      {},
      { role: 'navigator', kind: 'hard-tilt', step: 8, steps: 6 },
    );
    const found = localiseFromFamily(bad.events, ok.events, ['no-skid'], {
      failed: scenario.target.x,
      success: scenario.target.x,
    });
    expect(found).toMatchObject({
      role: 'navigator',
      method: 'family-divergence',
      confidence: 0.3,
    });
    expect(found!.step).toBeGreaterThanOrEqual(8);
  }, 60_000);
});
