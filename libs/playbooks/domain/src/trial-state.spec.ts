import {
  concludeTrial,
  trialOutcomeOf,
  trialSettingsProblem,
  type GradedTrialSession,
} from './trial-state';
import { DEFAULT_SPRT } from './trial';

/** Alternating candidate / control sessions with the given outcomes. */
function graded(candidate: boolean[], control: boolean[]): GradedTrialSession[] {
  const out: GradedTrialSession[] = [];
  for (let i = 0; i < Math.max(candidate.length, control.length); i++) {
    if (i < candidate.length)
      out.push({ sessionId: `c${i}`, arm: 'candidate', succeeded: candidate[i] });
    if (i < control.length) out.push({ sessionId: `k${i}`, arm: 'control', succeeded: control[i] });
  }
  return out;
}
const times = (n: number, v: boolean) => Array.from({ length: n }, () => v);

describe('concluding a trial', () => {
  it('keeps running while the test says continue', () => {
    const c = concludeTrial(graded([true, false], [false, true]), 'apply');
    expect(c.status).toBe('running');
    expect(c.decision.discordant).toBe(2);
  });

  it('rolls back a candidate that loses the discordant pairs', () => {
    const c = concludeTrial(graded(times(10, false), times(10, true)), 'apply');
    expect(c.status).toBe('rolled_back');
    expect(c.decision.candidateWins).toBe(0);
    expect(c.decision.reason).toMatch(/not better/);
  });

  it('promotes a candidate that wins them when the agent publishes apply', () => {
    const c = concludeTrial(graded(times(12, true), times(12, false)), 'apply');
    expect(c.status).toBe('promoted');
    expect(c.decision.decision).toBe('promote');
  });

  it("leaves a winning candidate for a person's review when the agent publishes propose", () => {
    const c = concludeTrial(graded(times(12, true), times(12, false)), 'propose');
    expect(c.status).toBe('awaiting_review');
    expect(c.decision.reason).toMatch(/waits for a person/);
  });

  it('rolls back after maxDiscordant undecided pairs', () => {
    const alternate = Array.from({ length: 8 }, (_, i) => i % 2 === 0);
    const c = concludeTrial(
      graded(
        alternate,
        alternate.map((x) => !x),
      ),
      'apply',
      {
        ...DEFAULT_SPRT,
        maxDiscordant: 4,
      },
    );
    expect(c.status).toBe('rolled_back');
    expect(c.decision.reason).toMatch(/undecided after 4/);
  });

  it('rolls back a trial between equal versions after maxPairs pairs without a discordant one', () => {
    const settings = { ...DEFAULT_SPRT, maxDiscordant: 4, maxPairs: 20 };
    const running = concludeTrial(graded(times(19, true), times(19, true)), 'apply', settings);
    expect(running.status).toBe('running');
    const bothFail = concludeTrial(graded(times(25, false), times(20, false)), 'apply', settings);
    expect(bothFail.status).toBe('rolled_back');
    expect(bothFail.decision).toMatchObject({ decision: 'rollback', pairs: 20, discordant: 0 });
    expect(bothFail.decision.reason).toMatch(/after 20 graded pairs/);
    expect(bothFail.decision.reason).toMatch(/no evidence the candidate is better/);
  });

  it('reads maxPairs as the default for trials stored without it', () => {
    const stored = { ...DEFAULT_SPRT, maxPairs: undefined };
    const c = concludeTrial(
      graded(times(DEFAULT_SPRT.maxPairs, true), times(DEFAULT_SPRT.maxPairs, true)),
      'propose',
      stored,
    );
    expect(c.status).toBe('rolled_back');
    expect(c.decision.pairs).toBe(DEFAULT_SPRT.maxPairs);
  });

  it('pairs the arms in arrival order whatever the interleaving', () => {
    const a = concludeTrial(graded(times(12, true), times(12, false)), 'apply');
    const shuffled = [...graded(times(12, true), [])].concat(graded([], times(12, false)));
    const b = concludeTrial(shuffled, 'apply');
    expect(b.decision.pairs).toBe(a.decision.pairs);
    expect(b.status).toBe(a.status);
  });
});

describe('trial outcomes and settings', () => {
  it('counts final verdicts only', () => {
    expect(trialOutcomeOf('satisfied')).toBe(true);
    expect(trialOutcomeOf('failed')).toBe(false);
    expect(trialOutcomeOf('max_iterations_reached')).toBe(false);
    expect(trialOutcomeOf('needs_revision')).toBeNull();
  });

  it('names a bad setting', () => {
    expect(trialSettingsProblem(0.5, DEFAULT_SPRT)).toBeNull();
    expect(trialSettingsProblem(1, DEFAULT_SPRT)).toMatch(/share/);
    expect(trialSettingsProblem(0.5, { ...DEFAULT_SPRT, theta1: 0.4 })).toMatch(/theta1/);
    expect(trialSettingsProblem(0.5, { ...DEFAULT_SPRT, maxPairs: 10 })).toMatch(/maxPairs/);
    expect(trialSettingsProblem(0.5, { ...DEFAULT_SPRT, maxPairs: 2.5 })).toMatch(/maxPairs/);
    expect(trialSettingsProblem(0.5, { ...DEFAULT_SPRT, maxDiscordant: 0 })).toMatch(
      /maxDiscordant/,
    );
  });
});
