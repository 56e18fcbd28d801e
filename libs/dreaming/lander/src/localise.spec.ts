import type { SessionEventBody } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  flyLanding,
  recordedCommands,
  ROLE_RULE_SPACES,
  scenarioFor,
  type RoleRules,
} from '@reverie/lunar-lander';
import { localiseFailure } from './localise';
import { actionGrid, EXCLUDED_ACTIONS, ROLE_NAMES } from './rule-space';

async function commandsOf(rules: RoleRules) {
  const events: SessionEventBody[] = [];
  const run = await flyLanding(scenarioFor('boulder-field', 1), new BuiltinLunarTeam(rules), {
    onEvents: (e) => void events.push(...e),
  });
  return { safe: run.result.safe, commands: recordedCommands(events) };
}

describe('the general action space', () => {
  it('covers every parameter and every action (but abort) of every role', () => {
    const grid = actionGrid();
    for (const role of ROLE_NAMES) {
      const space = ROLE_RULE_SPACES[role];
      for (const param of Object.keys(space.params))
        expect(grid.some((a) => a.role === role && a.then.params?.[param] !== undefined)).toBe(
          true,
        );
      for (const action of Object.keys(space.actions)) {
        const present = grid.some((a) => a.role === role && a.then.action === action);
        expect(present).toBe(!EXCLUDED_ACTIONS.includes(`${role}.${action}`));
      }
    }
  });
});

describe('localiseFailure', () => {
  it('finds the last step an alternative lands a day-one failure from, identical before it', async () => {
    const scenario = scenarioFor('boulder-field', 1);
    const loc = await localiseFailure(scenario, { maxSimulations: 100 });
    expect(loc).not.toBeNull();
    if (!loc) return;
    expect(loc.simulations).toBeLessThanOrEqual(100);
    expect(loc.successes).toBeGreaterThan(0);
    expect(loc.successes).toBeLessThanOrEqual(loc.alternativesTried);
    expect(loc.confidence).toBeGreaterThan(0);
    expect(loc.confidence).toBeLessThanOrEqual(1);
    expect(loc.exampleAlternative.when).toEqual({ feature: 'step', op: 'gte', value: loc.step });

    const original = await commandsOf({});
    const alternative = await commandsOf({ [loc.role]: [loc.exampleAlternative] });
    expect(original.safe).toBe(false);
    expect(alternative.safe).toBe(true);
    const before = (c: typeof original) => c.commands.filter((x) => x.step < loc.step);
    expect(before(alternative)).toEqual(before(original));
    expect(before(original)).toHaveLength(loc.step);
    expect(alternative.commands).not.toEqual(original.commands);
  });

  it('returns null for a landing that is already safe', async () => {
    expect(await localiseFailure(scenarioFor('easy', 0), { maxSimulations: 5 })).toBeNull();
  });
});
