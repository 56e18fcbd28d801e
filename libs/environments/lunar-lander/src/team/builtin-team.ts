import { M } from '../fast-math';
import type { TeamLog } from '@reverie/agent-team';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { command, COMMANDER_DEFAULTS, COMMANDER_RULES, type CommanderDecision } from './commander';
import { detect, DETECTOR_DEFAULTS, DETECTOR_RULES, type DetectorMemory } from './detector';
import { LanderFeatureTracker } from './features';
import {
  COMMANDER,
  DETECTOR,
  NAVIGATOR,
  type DetectorReport,
  type NavigatorCommand,
  type Orders,
} from './lunar-team';
import { navigate, NAVIGATOR_DEFAULTS, NAVIGATOR_RULES } from './navigator';
import {
  compileRoleRules,
  evaluateRoleRules,
  type CompiledRules,
  type RoleRuleSpace,
} from './role-rules';
import type { LunarTeamPolicy, StepContext } from './team-policy';

/** Each role's playbook rules (from `renderRules` of that role's active playbook). */
export type RoleRules = Partial<
  Record<typeof DETECTOR | typeof COMMANDER | typeof NAVIGATOR, readonly PlaybookRule[]>
>;

export const ROLE_RULE_SPACES: Readonly<Record<string, RoleRuleSpace>> = {
  [DETECTOR]: DETECTOR_RULES,
  [COMMANDER]: COMMANDER_RULES,
  [NAVIGATOR]: NAVIGATOR_RULES,
};

/**
 * The day-one team: plain controllers (see detector.ts, commander.ts, navigator.ts) that also
 * follow the structured rules of each role's playbook. Every rule that fires is recorded as an
 * `apply_rule` action of its role at its step, so the dreamer can count what each entry did.
 */
export class BuiltinLunarTeam implements LunarTeamPolicy {
  private readonly rules: Record<string, CompiledRules>;
  private memory: DetectorMemory = { scan: null, altitude: null };
  private features: Record<string, string | number | boolean> = {};
  private readonly tracker = new LanderFeatureTracker();
  /** When the Navigator last decided, s: the gap to the next decision is how long a command holds. */
  private lastNavigateT: number | null = null;
  private periodSeconds: number | undefined;

  constructor(rules: RoleRules = {}) {
    this.rules = Object.fromEntries(
      Object.entries(ROLE_RULE_SPACES).map(([role, space]) => [
        role,
        compileRoleRules(space, rules[role as keyof RoleRules] ?? []),
      ]),
    );
  }

  start(log: TeamLog): void {
    for (const [role, compiled] of Object.entries(this.rules)) {
      if (compiled.skipped.length)
        log.observation(0, role, { skippedRules: compiled.skipped.map((s) => ({ ...s })) });
    }
  }

  async detect(
    ctx: StepContext,
    input: Parameters<LunarTeamPolicy['detect']>[1],
  ): Promise<DetectorReport> {
    // The Detector's rules see the last report's features (it has not made this step's yet).
    const { params, actions } = this.evaluate(DETECTOR, ctx, DETECTOR_DEFAULTS);
    const every = M.max(1, M.round(params.scanEvery));
    const wantsScan =
      ctx.step % every === 0 ||
      this.memory.scan === null ||
      actions.some((a) => a.action === 'scan');
    const { report, memory } = detect(
      input.reading,
      wantsScan ? input.scan() : null,
      input.orders.siteX,
      this.memory,
      params,
    );
    this.memory = memory;
    this.features = this.tracker.of(ctx.step, ctx.t, report, input.orders, ctx.fuelAtStart);
    return report;
  }

  async command(
    ctx: StepContext,
    input: { report: DetectorReport; orders: Orders },
  ): Promise<CommanderDecision> {
    const { params, actions } = this.evaluate(COMMANDER, ctx, COMMANDER_DEFAULTS);
    const decision = command(input.report, input.orders, ctx.fuelAtStart, params, actions);
    this.features = this.tracker.of(
      ctx.step,
      ctx.t,
      input.report,
      decision.orders,
      ctx.fuelAtStart,
    );
    return decision;
  }

  async navigate(
    ctx: StepContext,
    input: { report: DetectorReport; orders: Orders },
  ): Promise<NavigatorCommand> {
    const { params, actions } = this.evaluate(NAVIGATOR, ctx, NAVIGATOR_DEFAULTS);
    if (this.lastNavigateT !== null && ctx.t > this.lastNavigateT)
      this.periodSeconds = ctx.t - this.lastNavigateT;
    this.lastNavigateT = ctx.t;
    return navigate(input.report, input.orders, params, actions, this.periodSeconds);
  }

  private evaluate<P extends Record<string, number>>(role: string, ctx: StepContext, defaults: P) {
    const result = evaluateRoleRules(this.rules[role], this.features, defaults);
    for (const a of result.applied)
      ctx.log.action(ctx.step, role, 'apply_rule', {
        entryId: a.entryId,
        action: a.action,
        params: a.params,
      });
    return result;
  }
}
