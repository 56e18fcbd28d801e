import { NAVIGATOR, ROLE_RULE_SPACES } from '@reverie/lunar-lander';
import type { ObjectiveScore } from '@reverie/lunar-lander';
import { clipTitle, conditionWords, type EntryDraft } from './entries';
import { keyOf, type Genome } from './guidance-space';
import { ROLE_DEFAULTS } from './rule-space';
import type { GuidanceCandidate } from './search-guidance';

const ROLE_TITLE: Record<string, string> = {
  detector: 'Detector',
  commander: 'Commander',
  navigator: 'Navigator',
};

const fmt = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * The late-ignition law in words, when a parameter set switches it on, with the values it flies:
 * the set's own, else those the current rules give (`base`), else day one's.
 */
function lawWords(params: Record<string, number>, base: Genome): string {
  if (params.guidanceLaw === undefined) return '';
  if (params.guidanceLaw < 0.5) return 'Fly the altitude-proportional descent schedule. ';
  const value = (k: string) =>
    params[k] ??
    base[keyOf({ role: NAVIGATOR, scope: 'all', param: k })] ??
    ROLE_DEFAULTS.navigator[k];
  const f = value('brakingAccelFraction');
  const flare = value('flareAltitude');
  const final = value('finalDescentRate');
  return (
    `Use late-ignition guidance: at each decision take the least thrust (the engine ${value('engineOffBelow') ? 'off' : 'at minimum'} while coasting) ` +
    `that, held until the next decision, still lets a burn at ${Math.round(f * 100)} % of the engine's net deceleration ` +
    `slow the descent to ${fmt(final)} m/s by ${fmt(flare)} m; below that, hold ${fmt(final)} m/s to the ground. `
  );
}

function scoreWords(s: ObjectiveScore): string {
  const fuel =
    s.medianFuelOverLimit === null
      ? 'no satisfied landing'
      : `median fuel x${s.medianFuelOverLimit.toFixed(2)} of the limit`;
  const dist =
    s.meanDistance === null ? '' : `, ${s.meanDistance.toFixed(1)} m from the site on average`;
  return `${s.satisfied}/${s.flights} satisfied (${fuel}${dist})`;
}

/**
 * Playbook entries for a guidance candidate: one per (role, scope) parameter set, with guidance
 * a model can follow (the law in words, with the values the current rules, `base`, already fly
 * where the set does not change them, and each parameter against its day-one value), the training
 * numbers against the current rules as rationale, and the training scenarios it turned satisfied
 * (or broke) as evidence.
 */
export function toGuidanceEntries(
  cand: GuidanceCandidate,
  baseline: GuidanceCandidate,
  scenarioIds: readonly string[],
  base: Genome = {},
): EntryDraft[] {
  const fixed = scenarioIds.filter((_, i) => !baseline.satisfied[i] && cand.satisfied[i]);
  const broke = scenarioIds.filter((_, i) => baseline.satisfied[i] && !cand.satisfied[i]);
  return cand.rules.map(({ role, scope, rule }) => {
    const params = (rule.then.params ?? {}) as Record<string, number>;
    const where = `${scope === 'all' ? 'for the whole flight' : `in the ${scope} phase`}${
      cand.startScope ? `, only when ${conditionWords(cand.startScope)}` : ''
    }`;
    const settings = Object.entries(params)
      .map(
        ([k, v]) =>
          `${k} ${fmt(v)} (day-one ${fmt(ROLE_DEFAULTS[role][k])}: ${ROLE_RULE_SPACES[role].params[k] ?? k})`,
      )
      .join('; ');
    return {
      role,
      title: clipTitle(`${ROLE_TITLE[role]} guidance ${where}: ${Object.keys(params).join(', ')}`),
      guidance: `${lawWords(params, base)}${ROLE_TITLE[role]}, ${where}: ${settings}.`,
      rationale: `On the training scenarios: ${scoreWords(cand.score)} against ${scoreWords(baseline.score)} with the current rules; turned ${fixed.length} into satisfied landings and broke ${broke.length}.`,
      evidence: [
        ...fixed.map((id) => ({
          sessionId: id,
          role,
          note: 'not satisfied with the current rules, satisfied with this guidance',
        })),
        ...broke.map((id) => ({
          sessionId: id,
          role,
          note: 'satisfied with the current rules, not with this guidance',
        })),
      ].slice(0, 500),
      rule: { when: structuredClone(rule.when), then: structuredClone(rule.then) },
      status: 'proposed' as const,
    };
  });
}
