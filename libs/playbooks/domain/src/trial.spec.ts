import { createHash } from 'node:crypto';
import { DEFAULT_SPRT, sprtDecision, trialArm } from './trial';

/** A seeded stream of Bernoulli outcomes (mulberry32: deterministic, so the rates are exact here). */
function outcomes(seed: string, p: number, n: number): boolean[] {
  let a = parseInt(createHash('sha256').update(seed).digest('hex').slice(0, 8), 16);
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 < p;
  });
}

function decide(seed: string, pCandidate: number, pControl: number) {
  return sprtDecision(outcomes(`${seed}c`, pCandidate, 400), outcomes(`${seed}k`, pControl, 400));
}

// The simulation tests run hundreds of trials: explicit timeouts, so a loaded machine cannot
// turn Jest's 5 s default into a timing assertion.
describe('canary trials', () => {
  it('assigns each session an arm by its id alone, about the share asked for', () => {
    const arms = Array.from({ length: 2000 }, (_, i) => trialArm('trl_1', `ses_${i}`, 0.2));
    expect(trialArm('trl_1', 'ses_7', 0.2)).toBe(arms[7]);
    const share = arms.filter((a) => a === 'candidate').length / arms.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.23);
  });

  it('rolls back versions made worse on purpose, every time', () => {
    const worse = Array.from({ length: 200 }, (_, i) => decide(`w${i}`, 0.3, 0.6).decision);
    expect(worse.filter((d) => d === 'promote')).toEqual([]);
    expect(worse.every((d) => d === 'rollback')).toBe(true);
  }, 60_000);

  it('promotes a clearly better version', () => {
    const better = Array.from({ length: 200 }, (_, i) => decide(`b${i}`, 0.9, 0.4).decision);
    expect(better.filter((d) => d === 'promote').length).toBeGreaterThanOrEqual(160);
  }, 60_000);

  it('keeps false promotions of an equal version near alpha', () => {
    const equal = Array.from({ length: 1000 }, (_, i) => decide(`e${i}`, 0.5, 0.5).decision);
    const rate = equal.filter((d) => d === 'promote').length / equal.length;
    expect(rate).toBeLessThanOrEqual(DEFAULT_SPRT.alpha + 0.02);
  }, 60_000);

  it('waits while too few outcomes have come in, and says so', () => {
    const d = sprtDecision([true, false], [false]);
    expect(d).toMatchObject({ decision: 'continue', pairs: 1, discordant: 1, candidateWins: 1 });
    expect(d.reason).toMatch(/waiting for more outcomes/);
  });
});
