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
  kind: 'engine-cut' | 'full-burn' | 'hard-tilt' | 'wrong-retarget' | 'false-altitude';
}

export const FAULT_KINDS: Record<RoleName, PlantedFault['kind'][]> = {
  [NAVIGATOR]: ['engine-cut', 'full-burn', 'hard-tilt'],
  [COMMANDER]: ['wrong-retarget'],
  [DETECTOR]: ['false-altitude'],
};

/** The builtin team with one planted fault: its output is replaced at the fault's steps. */
class FaultyTeam implements LunarTeamPolicy {
  private readonly inner: BuiltinLunarTeam;
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
    // Reads 150 m high: the team thinks it has more room than it has.
    return this.active(ctx.step, DETECTOR)
      ? { ...report, altitude: report.altitude + 150 }
      : report;
  }
  async command(...[ctx, input]: Parameters<LunarTeamPolicy['command']>) {
    const decision = await this.inner.command(ctx, input);
    if (!this.active(ctx.step, COMMANDER)) return decision;
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

/** Flies `scenario` with the fault planted, recording the session events as a real session does. */
export async function flyWithFault(
  scenario: Scenario,
  rules: RoleRules,
  fault: PlantedFault,
): Promise<{ result: LandingResult; events: SessionEventBody[] }> {
  const events: SessionEventBody[] = [];
  const { result } = await flyLanding(scenario, new FaultyTeam(rules, fault), {
    onEvents: (e) => void events.push(...e),
  });
  return { result, events };
}
