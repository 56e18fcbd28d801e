import { COMMANDER, DETECTOR, NAVIGATOR } from '@reverie/lunar-lander';
import type { RoleRules } from '@reverie/lunar-lander';
import type { Condition, FeatureTest, PlaybookRule } from '@reverie/playbooks-domain';
import { ROLE_DEFAULTS, type RoleName } from './rule-space';

/** Where a parameter set applies: the whole flight, or one phase of it. */
export type GuidanceScope = 'all' | 'terminal';

/** One searched parameter: a role's parameter within a scope, over [min, max]. */
export interface GuidanceParam {
  role: RoleName;
  scope: GuidanceScope;
  param: string;
  min: number;
  max: number;
  /** Whole numbers only (counts), or a switch (0 or 1). */
  kind?: 'integer' | 'switch';
}

/**
 * The continuous policy space the guidance search explores: per role and phase, the parameters
 * that shape a flight rather than trigger a rule (ignition timing and braking profile, target
 * descent rates, gains, margins, when to retarget). Ranges are physical, not multiples of the
 * day-one values, so the search can reach guidance the day-one team never flies.
 */
export const GUIDANCE_SPACE: readonly GuidanceParam[] = [
  { role: NAVIGATOR, scope: 'all', param: 'guidanceLaw', min: 0, max: 1, kind: 'switch' },
  { role: NAVIGATOR, scope: 'all', param: 'brakingAccelFraction', min: 0.5, max: 0.98 },
  { role: NAVIGATOR, scope: 'all', param: 'flareAltitude', min: 3, max: 60 },
  { role: NAVIGATOR, scope: 'all', param: 'ignitionLeadSeconds', min: 0.25, max: 3 },
  { role: NAVIGATOR, scope: 'all', param: 'finalDescentRate', min: 0.5, max: 2.9 },
  { role: NAVIGATOR, scope: 'all', param: 'engineOffBelow', min: 0, max: 0.1 },
  { role: NAVIGATOR, scope: 'all', param: 'flareHoldDistance', min: 0, max: 10 },
  { role: NAVIGATOR, scope: 'all', param: 'descentRateGain', min: 0.02, max: 0.5 },
  { role: NAVIGATOR, scope: 'all', param: 'minDescentRate', min: 0.3, max: 2.8 },
  { role: NAVIGATOR, scope: 'all', param: 'maxDescentRate', min: 10, max: 120 },
  { role: NAVIGATOR, scope: 'all', param: 'verticalGain', min: 0.1, max: 2 },
  { role: NAVIGATOR, scope: 'all', param: 'positionGain', min: 0.01, max: 0.3 },
  { role: NAVIGATOR, scope: 'all', param: 'velocityGain', min: 0.05, max: 1.5 },
  { role: NAVIGATOR, scope: 'all', param: 'maxApproachSpeed', min: 10, max: 120 },
  { role: NAVIGATOR, scope: 'all', param: 'maxBrakingSpeed', min: 3, max: 40 },
  { role: NAVIGATOR, scope: 'all', param: 'maxTiltDeg', min: 5, max: 75 },
  { role: NAVIGATOR, scope: 'terminal', param: 'minDescentRate', min: 0.3, max: 2.8 },
  { role: NAVIGATOR, scope: 'terminal', param: 'maxTerminalSpeed', min: 0.5, max: 10 },
  { role: NAVIGATOR, scope: 'terminal', param: 'terminalMaxTiltDeg', min: 2, max: 25 },
  { role: COMMANDER, scope: 'all', param: 'brakingAltitude', min: 100, max: 3000 },
  { role: COMMANDER, scope: 'all', param: 'terminalAltitude', min: 10, max: 200 },
  { role: COMMANDER, scope: 'all', param: 'hoverDistance', min: 2, max: 60 },
  { role: COMMANDER, scope: 'all', param: 'retargetMaxDistance', min: 0, max: 300 },
  { role: COMMANDER, scope: 'all', param: 'abortFuelFraction', min: 0, max: 0.1 },
  { role: DETECTOR, scope: 'all', param: 'altitudeSmoothing', min: 0, max: 0.9 },
  { role: DETECTOR, scope: 'all', param: 'scanEvery', min: 1, max: 10, kind: 'integer' },
  { role: DETECTOR, scope: 'all', param: 'siteMargin', min: 0, max: 5 },
];

/** A point of the space: values by `keyOf(param)`; a missing key keeps the day-one value. */
export type Genome = Readonly<Record<string, number>>;

export const keyOf = (p: Pick<GuidanceParam, 'role' | 'scope' | 'param'>) =>
  `${p.role}.${p.scope}.${p.param}`;

/**
 * The value a genome gives a parameter: its own, else `base`'s (what the current rules already
 * set on every flight: `baseGenome`), else the day-one default.
 */
export function valueOf(genome: Genome, p: GuidanceParam, base: Genome = {}): number {
  const key = keyOf(p);
  return genome[key] ?? base[key] ?? ROLE_DEFAULTS[p.role][p.param];
}

/** Clamps and rounds a value into its parameter's range. */
export function normalise(p: GuidanceParam, v: number): number {
  const c = Math.min(p.max, Math.max(p.min, v));
  if (p.kind === 'switch') return c >= 0.5 ? 1 : 0;
  if (p.kind === 'integer') return Math.round(c);
  return Number(c.toPrecision(3));
}

const SCOPE_WHEN: Record<GuidanceScope, FeatureTest> = {
  all: { feature: 'step', op: 'gte', value: 0 },
  terminal: { feature: 'phase', op: 'eq', value: 'terminal' },
};

/** Whether a condition is exactly this one feature test (whatever order its keys were stored in). */
const sameTest = (c: Condition, t: FeatureTest) =>
  'feature' in c && c.feature === t.feature && c.op === t.op && c.value === t.value;

/**
 * The searched parameters the current rules set on every flight of a scope (their guidance
 * entries with the scope's own condition, later ones winning, as the roles apply them), so that a
 * later dream moves a parameter from the value earlier dreams promoted, not from day one's.
 * Entries held to some approaches (a start scope) or other conditions are not counted: a
 * parameter they set on some flights only keeps its day-one value here.
 */
export function baseGenome(current: RoleRules): Genome {
  const base: Record<string, number> = {};
  for (const [role, rules] of Object.entries(current) as [RoleName, PlaybookRule[] | undefined][])
    for (const rule of rules ?? []) {
      const scope = (Object.keys(SCOPE_WHEN) as GuidanceScope[]).find((s) =>
        sameTest(rule.when, SCOPE_WHEN[s]),
      );
      if (!scope || rule.then.action !== 'set') continue;
      for (const [param, v] of Object.entries(rule.then.params ?? {})) {
        const p = GUIDANCE_SPACE.find(
          (q) => q.role === role && q.scope === scope && q.param === param,
        );
        if (p && typeof v === 'number') base[keyOf(p)] = v;
      }
    }
  return base;
}

/**
 * The parameter sets a genome changes, one per (role, scope), as playbook rules added after the
 * current ones; a value the current rules (`base`) or day one already give is left out.
 */
export function genomeRules(
  genome: Genome,
  base: Genome = {},
): { role: RoleName; scope: GuidanceScope; rule: PlaybookRule }[] {
  const groups = new Map<
    string,
    { role: RoleName; scope: GuidanceScope; params: Record<string, number> }
  >();
  for (const p of GUIDANCE_SPACE) {
    const v = genome[keyOf(p)];
    if (v === undefined || v === valueOf({}, p, base)) continue;
    const g = groups.get(`${p.role}.${p.scope}`) ?? { role: p.role, scope: p.scope, params: {} };
    g.params[p.param] = v;
    groups.set(`${p.role}.${p.scope}`, g);
  }
  // Order: roles, then the whole flight before a phase (a phase's set wins where both hold).
  return [...groups.values()]
    .sort((a, b) =>
      a.role === b.role ? (a.scope === 'all' ? -1 : 1) : a.role.localeCompare(b.role),
    )
    .map(({ role, scope, params }) => ({
      role,
      scope,
      rule: {
        entryId: `guidance.${role}.${scope}`,
        title: `guidance: ${role} ${scope === 'all' ? 'whole flight' : `${scope} phase`}`,
        when: structuredClone(SCOPE_WHEN[scope]),
        then: { action: 'set', params },
      },
    }));
}
