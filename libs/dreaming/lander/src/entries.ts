import type { Condition, Evidence, Rule, Scalar } from '@reverie/playbooks-domain';
import type { FlightScore } from './flight';
import { ROLE_DEFAULTS, type RoleName } from './rule-space';
import type { RuleCandidate } from './search-rules';

/**
 * An entry title of at most `max` characters (the entry schema's limit is 200): cut after the last
 * whole word or list item that fits, with an ellipsis, not in the middle of a parameter's name.
 */
export function clipTitle(title: string, max = 200): string {
  if (title.length <= max) return title;
  const head = title.slice(0, max - 1);
  const cut = Math.max(head.lastIndexOf(', '), head.lastIndexOf(' '));
  return `${(cut > max / 2 ? head.slice(0, cut) : head).replace(/[,;:\s]+$/, '')}…`;
}

/** A proposed playbook entry for one role (the shape of an `add` delta, plus the role). */
export interface EntryDraft {
  role: RoleName;
  title: string;
  /** For a model to read: what to do, when, in words. */
  guidance: string;
  /** The training evidence in numbers, for reviewers. */
  rationale: string;
  /** The training scenarios it turned safe (and broke), by scenario id. */
  evidence: Evidence[];
  rule: Rule;
  status: 'proposed';
}

const OP_WORDS: Record<string, string> = {
  lt: 'below',
  lte: 'at most',
  gt: 'above',
  gte: 'at least',
  eq: 'is',
  ne: 'is not',
};
/** Feature names as words (units where the feature has one). */
const FEATURE_WORDS: Record<string, [string, string]> = {
  altitude: ['altitude', ' m'],
  vx: ['horizontal speed', ' m/s'],
  vz: ['vertical speed', ' m/s'],
  speed: ['total speed', ' m/s'],
  time_to_ground: ['time to the ground', ' s'],
  t: ['time since the start', ' s'],
  x: ['position', ' m'],
  site_x: ['the site', ' m'],
  site_distance: ['the signed distance to the site', ' m'],
  abs_site_distance: ['the distance to the site', ' m'],
  site_slope_deg: ['the site slope', ' deg'],
  site_boulder_height: ['the tallest boulder at the site', ' m'],
  fuel: ['propellant left', ' kg'],
  fuel_fraction: ['the share of propellant left', ''],
  mass: ['mass', ' kg'],
  pitch_deg: ['tilt', ' deg'],
  candidate_count: ['the number of safe candidate sites', ''],
  start_altitude: ['the altitude at the start', ' m'],
  start_vx: ['the horizontal speed at the start', ' m/s'],
  start_vz: ['the vertical speed at the start', ' m/s'],
  start_speed: ['the total speed at the start', ' m/s'],
  start_site_distance: ['the signed distance to the site at the start', ' m'],
  start_abs_site_distance: ['the distance to the site at the start', ' m'],
  start_fuel: ['the propellant at the start', ' kg'],
  start_mass: ['the mass at the start', ' kg'],
  start_engine_lag: ["the engine's throttle lag", ' s'],
};
const ROLE_TITLE: Record<RoleName, string> = {
  detector: 'Detector',
  commander: 'Commander',
  navigator: 'Navigator',
};

const fmt = (v: Scalar) =>
  typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);

/** A condition in words: "altitude below 40 m and phase is braking". */
export function conditionWords(c: Condition): string {
  if ('all' in c) return c.all.map(conditionWords).join(' and ');
  if ('any' in c) return c.any.map(conditionWords).join(' or ');
  if ('not' in c) return `not (${conditionWords(c.not)})`;
  if (c.feature === 'phase' && c.op === 'eq') return `in the ${fmt(c.value as Scalar)} phase`;
  if (c.feature === 'step' && c.op === 'gte')
    return `from decision step ${fmt(c.value as Scalar)} on`;
  const [name, unit] = FEATURE_WORDS[c.feature] ?? [c.feature, ''];
  const op = OP_WORDS[c.op] ?? c.op;
  return c.value === undefined ? `${name} ${op}` : `${name} ${op} ${fmt(c.value as Scalar)}${unit}`;
}

/** What the rule makes the role do, in words, with the day-one value for a `set`. */
export function actionWords(role: RoleName, then: Rule['then']): string {
  const who = `the ${ROLE_TITLE[role]}`;
  const params = Object.entries(then.params ?? {});
  if (then.action === 'set')
    return params
      .map(
        ([k, v]) =>
          `set ${who}'s ${k} to ${fmt(v)} (day-one ${fmt(ROLE_DEFAULTS[role][k] ?? NaN)})`,
      )
      .join(', ');
  const args = params.map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  return `have ${who} ${then.action.replace(/_/g, ' ')}${args ? ` (${args})` : ''}`;
}

const pct = (s: FlightScore) => `${s.safe}/${s.flights} safe`;
const fuel = (s: FlightScore) =>
  s.meanFuelOverLimit === null
    ? 'no safe landing'
    : `fuel ×${s.meanFuelOverLimit.toFixed(2)} of the limit`;

/**
 * One entry draft per rule of each candidate (a rule already drafted is not repeated). Guidance
 * reads as an instruction ("When altitude below 40 m, set the Navigator's descentRateGain to
 * 0.05 (day-one 0.1)."); the rationale gives the training scores; the evidence lists the training
 * scenarios the candidate turned safe and those it broke.
 */
export function toPlaybookEntries(candidates: readonly RuleCandidate[]): EntryDraft[] {
  const seen = new Set<string>();
  const out: EntryDraft[] = [];
  for (const cand of candidates) {
    const together =
      cand.rules.length > 1 ? ` together with ${cand.rules.length - 1} other rule(s)` : '';
    for (const { role, rule } of cand.rules) {
      const key = JSON.stringify([role, rule.when, rule.then]);
      if (seen.has(key)) continue;
      seen.add(key);
      const when = conditionWords(rule.when);
      const does = actionWords(role, rule.then);
      const sentence = `When ${when}, ${does}.`;
      out.push({
        role,
        title: clipTitle(`${ROLE_TITLE[role]}: ${does} when ${when}`),
        guidance: `${sentence} Learned from simulated landings; applies to the ${ROLE_TITLE[role]} only.`,
        rationale:
          `On ${cand.baseline.flights} training scenarios${together}: ${pct(cand.score)} (${fuel(cand.score)}) ` +
          `against ${pct(cand.baseline)} (${fuel(cand.baseline)}) with the current rules; ` +
          `turned ${cand.fixed.length} failure(s) safe and broke ${cand.broke.length}.`,
        evidence: [
          ...cand.fixed.map((id) => ({
            sessionId: id,
            role,
            note: 'failed with the current rules, safe with this rule',
          })),
          ...cand.broke.map((id) => ({
            sessionId: id,
            role,
            note: 'safe with the current rules, failed with this rule',
          })),
        ].slice(0, 500),
        rule: { when: structuredClone(rule.when), then: structuredClone(rule.then) },
        status: 'proposed',
      });
    }
  }
  return out;
}
