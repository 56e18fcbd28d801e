import { resultRun } from '@reverie/dreaming-domain';
import { parseOutcomeDefinition } from '@reverie/outcomes-domain';
import type { EnvironmentDreamer } from '../environments/environment-dreamer';
import { fakeDreamer } from '../testing/fake-dreamer';
import { SAFE_OUTCOME } from '../testing/safe-outcome';
import { dreamOnce, memoryPorts } from '../testing/stage-ports';

/** Validation and test tasks: ten of family a, two of family z. */
const TASKS = [
  ...Array.from({ length: 10 }, (_, i) => ({ id: `a-${i}`, family: 'a' })),
  { id: 'z-0', family: 'z' },
  { id: 'z-1', family: 'z' },
];

/**
 * A dreamer with a sandbox whose outcomes are fixed: with the current (empty) playbook family z
 * lands and family a does not; with the one lesson it drafts, every task of a lands and both of z
 * fail. Its gate trades regressions (a net gain of 8 pays for 2 lost).
 */
function tradingDreamer(): EnvironmentDreamer {
  return fakeDreamer({
    environment: 'lunar-lander',
    gate: { regressionTrade: 3 },
    defaultObjective: parseOutcomeDefinition(SAFE_OUTCOME),
    task: 'landing',
    failure: 'crashed',
    split: { train: 2, validation: 12, test: 12, reviewedHeldOut: 0, note: 'fixed tasks' },
    lesson: {
      title: 'Brake later',
      guidance: 'Ignite late and brake hard.',
      rationale: 'Family a ran out of fuel.',
      evidence: [{ sessionId: 'ses_1' }],
      rule: {
        when: { feature: 'step', op: 'gte', value: 0 },
        then: { action: 'set', params: { brakingAccelFraction: 0.9 } },
      },
    },
    evaluate: async (_p, _split, rules) => {
      const learned = [...rules.values()].some((r) => r.length > 0);
      const runs = TASKS.map((t) => {
        const safe = (t.family === 'a') === learned;
        return resultRun(t.id, t.family, {
          status: 'landed',
          safe,
          fuelUsed: 500,
          touchdown: { verdict: safe ? 'safe' : 'crashed', distanceToTarget: 1 },
        });
      });
      return { runs, work: { simulations: runs.length, summary: `${runs.length} flown` } };
    },
  });
}

describe("the operator's promotion rules in a dream's validate stage", () => {
  it('promotes a trade across families without a family tolerance', async () => {
    const { ports, stored } = memoryPorts(false, { outcome: SAFE_OUTCOME });
    const notes = await dreamOnce(tradingDreamer(), ports);
    expect(stored.map((s) => s.status)).toEqual(['active']);
    expect(notes.join('\n')).not.toMatch(/family tolerance/);
  });

  it("refuses it with the outcome definition's familyTolerance, naming the family", async () => {
    const { ports, stored } = memoryPorts(false, {
      outcome: { ...SAFE_OUTCOME, promotion: { familyTolerance: 1 } },
    });
    const notes = await dreamOnce(tradingDreamer(), ports);
    expect(stored).toEqual([]);
    expect(notes.join('\n')).toMatch(
      /refused: family z 2 -> 0 of 2 satisfied, more than the family tolerance of 1/,
    );
  });
});

/**
 * A dreamer whose validation tasks all land with or without its lesson (nothing left to win
 * there), whose reflector measured `train` for the lesson, and whose gate weighs that evidence
 * when validation is saturated.
 */
function saturatedDreamer(train: { before: number; after: number; tasks: number }) {
  const dreamer = tradingDreamer();
  return {
    ...dreamer,
    gate: { saturatedTrainGain: { minTasks: 2, minShare: 0.03 } },
    reflect: async (...args: Parameters<EnvironmentDreamer['reflect']>) => {
      const r = await dreamer.reflect(...args);
      return { ...r, drafts: r.drafts.map((d) => ({ ...d, train })) };
    },
    evaluate: async () => {
      const runs = TASKS.map((t) =>
        resultRun(t.id, t.family, {
          status: 'landed',
          safe: true,
          fuelUsed: 500,
          touchdown: { verdict: 'safe', distanceToTarget: 1 },
        }),
      );
      return { runs, work: { simulations: runs.length, summary: `${runs.length} flown` } };
    },
  } satisfies EnvironmentDreamer;
}

describe("the validate stage passes the reflector's training evidence to the gate", () => {
  it('promotes on it when every validation task is satisfied before and after', async () => {
    const { ports, stored } = memoryPorts(false, { outcome: SAFE_OUTCOME });
    const notes = await dreamOnce(saturatedDreamer({ before: 10, after: 14, tasks: 20 }), ports);
    expect(stored.map((s) => s.status)).toEqual(['active']);
    // The same dream with less training evidence is refused (below): the evidence decided.
    expect(notes.join('\n')).not.toMatch(/refused/);
  });

  it('refuses when the training gain is short of the rule', async () => {
    const { ports, stored } = memoryPorts(false, { outcome: SAFE_OUTCOME });
    const notes = await dreamOnce(saturatedDreamer({ before: 10, after: 11, tasks: 20 }), ports);
    expect(stored).toEqual([]);
    expect(notes.join('\n')).toMatch(/short of the gain needed/);
  });
});
