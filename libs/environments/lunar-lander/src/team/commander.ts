import { M } from '../fast-math';
import { COMMANDER, PHASES, type DetectorReport, type Orders, type Phase } from './lunar-team';
import type { AppliedRule, RoleRuleSpace } from './role-rules';

/** The Commander's day-one parameters: when to change phase, when to retarget, when to give up. */
export const COMMANDER_DEFAULTS = {
  /** Below this altitude the approach ends and braking starts, m. */
  brakingAltitude: 500,
  /** Below this altitude the terminal descent starts, m. */
  terminalAltitude: 60,
  /** In terminal descent, hover (stop descending) while farther than this from the site, m. */
  hoverDistance: 15,
  /** No retargeting below this altitude (too late to move), m. */
  retargetMinAltitude: 20,
  /** Farthest a retarget may move the site, m. */
  retargetMaxDistance: 200,
  /** Abort when the fuel left falls below this fraction of the fuel at the start... */
  abortFuelFraction: 0.02,
  /** ...and the craft is still above this altitude, m. */
  abortMinAltitude: 50,
};
export type CommanderParams = typeof COMMANDER_DEFAULTS;

export const COMMANDER_RULES: RoleRuleSpace = {
  role: COMMANDER,
  params: {
    brakingAltitude: 'altitude where braking starts, m',
    terminalAltitude: 'altitude where terminal descent starts, m',
    hoverDistance: 'in terminal descent, hover while farther than this from the site, m',
    retargetMinAltitude: 'no retargeting below this altitude, m',
    retargetMaxDistance: 'farthest a retarget may move the site, m',
    abortFuelFraction: 'abort below this fraction of the starting fuel...',
    abortMinAltitude: '...while above this altitude, m',
  },
  actions: {
    set_phase: { phase: `one of ${PHASES.join(', ')}` },
    retarget: { x: 'the new site, m along the ground track (default: the nearest safe candidate)' },
    abort: {},
  },
  check: (action, params) => {
    if (action === 'set_phase' && !(PHASES as readonly unknown[]).includes(params.phase))
      return `set_phase needs a phase, one of ${PHASES.join(', ')}; got ${JSON.stringify(params.phase)}`;
    if (action === 'retarget' && params.x !== undefined && typeof params.x !== 'number')
      return `retarget's x must be a number of metres, got ${JSON.stringify(params.x)}`;
    return null;
  },
};

export interface CommanderDecision {
  orders: Orders;
  /** Set when the site changed at this step, with why. */
  retarget: { from: number; to: number; reason: string } | null;
}

/**
 * A first-attempt Commander: phases by altitude, a retarget to the nearest safe candidate when the
 * Detector calls the site unsafe, hover in terminal descent while not over the site, and an abort
 * when the fuel is nearly gone high above the ground. Rule actions (`set_phase`, `retarget`,
 * `abort`) from its playbook override its own choice.
 */
export function command(
  report: DetectorReport,
  previous: Orders,
  fuelAtStart: number,
  params: CommanderParams,
  ruleActions: readonly AppliedRule[] = [],
): CommanderDecision {
  let siteX = previous.siteX;
  let retarget: CommanderDecision['retarget'] = null;
  const moveTo = (to: number, reason: string) => {
    if (to !== siteX) retarget = { from: siteX, to, reason };
    siteX = to;
  };
  if (
    report.site.safe === false &&
    report.altitude >= params.retargetMinAltitude &&
    report.candidates.length > 0 &&
    M.abs(report.candidates[0] - siteX) <= params.retargetMaxDistance
  ) {
    moveTo(
      report.candidates[0],
      `site x=${fmt(siteX)} unsafe (slope ${fmt(report.site.slopeDeg)} deg, boulder ${fmt(report.site.boulderHeight)} m)`,
    );
  }

  let phase: Phase =
    report.altitude > params.brakingAltitude
      ? 'approach'
      : report.altitude > params.terminalAltitude
        ? 'braking'
        : M.abs(siteX - report.x) > params.hoverDistance
          ? 'hover'
          : 'terminal';
  if (
    previous.phase === 'abort' ||
    (report.fuel < params.abortFuelFraction * fuelAtStart &&
      report.altitude > params.abortMinAltitude)
  )
    phase = 'abort';

  for (const a of ruleActions) {
    if (a.action === 'set_phase') phase = a.params.phase as Phase;
    else if (a.action === 'abort') phase = 'abort';
    else if (a.action === 'retarget') {
      const to = typeof a.params.x === 'number' ? a.params.x : report.candidates[0];
      if (to !== undefined) moveTo(to, `playbook entry ${a.entryId}`);
    }
  }
  return { orders: { phase, siteX }, retarget };
}

const fmt = (v: number | null) => (v === null ? '?' : v.toFixed(1));
