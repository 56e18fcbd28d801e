import type { SessionEventBody } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  COMMANDER,
  DETECTOR,
  flyLanding,
  NAVIGATOR,
  type LandingResult,
  type LunarTeamPolicy,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import type { RoleName } from './rule-space';

/** A known bad decision planted into a flight: who, from which step, for how long, doing what. */
export interface PlantedFault {
  role: RoleName;
  step: number;
  /** Steps it lasts (1 for a one-off decision such as a retarget). */
  steps: number;
  kind:
    | 'engine-cut'
    | 'full-burn'
    | 'hard-tilt'
    | 'wrong-retarget'
    | 'hover-hold'
    | 'false-altitude'
    | 'frozen-velocity';
}

export const FAULT_KINDS: Record<RoleName, PlantedFault['kind'][]> = {
  [NAVIGATOR]: ['engine-cut', 'full-burn', 'hard-tilt'],
  [COMMANDER]: ['wrong-retarget', 'hover-hold'],
  [DETECTOR]: ['false-altitude', 'frozen-velocity'],
};

/** Kinds that are one decision (a retarget) rather than a state held for several steps. */
export const ONE_STEP_FAULTS: readonly PlantedFault['kind'][] = ['wrong-retarget'];

/** The builtin team with one planted fault: its output is replaced at the fault's steps. */
class FaultyTeam implements LunarTeamPolicy {
  private readonly inner: BuiltinLunarTeam;
  /** The velocities read when a `frozen-velocity` fault began (a stuck sensor repeats them). */
  private frozen: { vx: number; vz: number } | null = null;
  constructor(
    rules: RoleRules,
    private readonly fault: PlantedFault,
  ) {
    this.inner = new BuiltinLunarTeam(rules);
  }
  private active(step: number, role: RoleName) {
    return (
      role === this.fault.role &&
      step >= this.fault.step &&
      step < this.fault.step + this.fault.steps
    );
  }
  start: LunarTeamPolicy['start'] = (log) => this.inner.start(log);
  async detect(...[ctx, input]: Parameters<LunarTeamPolicy['detect']>) {
    const report = await this.inner.detect(ctx, input);
    if (!this.active(ctx.step, DETECTOR)) return report;
    // Reads 150 m high: the team thinks it has more room than it has.
    if (this.fault.kind === 'false-altitude') return { ...report, altitude: report.altitude + 150 };
    // A stuck velocity channel: the speeds of the fault's first step, repeated.
    this.frozen ??= { vx: report.vx, vz: report.vz };
    return { ...report, ...this.frozen };
  }
  async command(...[ctx, input]: Parameters<LunarTeamPolicy['command']>) {
    const decision = await this.inner.command(ctx, input);
    if (!this.active(ctx.step, COMMANDER)) return decision;
    // Stops the descent where it is (a hover) whatever the phase should be.
    if (this.fault.kind === 'hover-hold')
      return { ...decision, orders: { ...decision.orders, phase: 'hover' as const } };
    const to = decision.orders.siteX + 400;
    return {
      orders: { ...decision.orders, siteX: to },
      retarget: { from: decision.orders.siteX, to, reason: 'planted fault' },
    };
  }
  async navigate(...[ctx, input]: Parameters<LunarTeamPolicy['navigate']>) {
    const cmd = await this.inner.navigate(ctx, input);
    if (!this.active(ctx.step, NAVIGATOR)) return cmd;
    if (this.fault.kind === 'engine-cut') return { ...cmd, throttle: 0 };
    if (this.fault.kind === 'full-burn') return { ...cmd, throttle: 1 };
    return { ...cmd, pitchDeg: 45 };
  }
}

/** A fault that never acts: `flyWithFault` with it flies the team as it is. */
export const NO_FAULT: PlantedFault = { role: NAVIGATOR, kind: 'engine-cut', step: -10, steps: 0 };

/** Flies `scenario` with the fault planted, recording the session events as a real session does. */
export async function flyWithFault(
  scenario: Scenario,
  rules: RoleRules,
  fault: PlantedFault = NO_FAULT,
): Promise<{ result: LandingResult; events: SessionEventBody[] }> {
  const events: SessionEventBody[] = [];
  const { result } = await flyLanding(scenario, new FaultyTeam(rules, fault), {
    onEvents: (e) => void events.push(...e),
  });
  return { result, events };
}
