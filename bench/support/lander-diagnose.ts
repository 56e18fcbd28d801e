/**
 * Flies the builtin team with a genome (GUIDANCE_SPACE keys -> values) on a few scenarios of a
 * family and prints each flight: outcome, touchdown speeds, fuel against the vertical limit,
 * distance to the site, and when the fuel ran out. For diagnosing why a family does not land.
 * FAMILY is a bundled family's name or a scenario file (what `reverie eval lander --scenarios`
 * reads); N is how many of its scenarios, from the first.
 *
 *   node -r @swc-node/register bench/support/lander-diagnose.ts tight-fuel 8 '{"navigator.all.guidanceLaw":1}'
 *   node -r @swc-node/register bench/support/lander-diagnose.ts my-family.json 4 '{}' v
 */
import { readFileSync } from 'node:fs';
import { genomeRules, withRules } from '@reverie/dreaming-lander';
import {
  BuiltinLunarTeam,
  BUNDLED_FAMILIES,
  expandFamily,
  flyLanding,
  parseFamily,
  scenariosFromJson,
  STRESS_FAMILIES,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';

/** The first `count` scenarios of a bundled family (by name) or of a scenario file. */
function scenariosOf(name: string, count: number): Scenario[] {
  const family = STRESS_FAMILIES[name] ?? BUNDLED_FAMILIES[name];
  if (family) return expandFamily(parseFamily({ ...family, count }));
  if (name.endsWith('.json'))
    return scenariosFromJson(JSON.parse(readFileSync(name, 'utf8'))).slice(0, count);
  throw new Error(`unknown family "${name}": name a bundled family or a scenario file (.json)`);
}

async function main() {
  const [name, countArg, genomeArg, verbose] = process.argv.slice(2);
  const count = Number(countArg ?? 8);
  const genome = JSON.parse(genomeArg ?? '{}') as Record<string, number>;
  const rules: RoleRules = withRules(
    {},
    genomeRules(genome).map(({ role, rule }) => ({ role, rule })),
  );
  const scenarios = scenariosOf(name, count);
  let ok = 0;
  let frugal = 0;
  for (const s of scenarios) {
    const { result: r, telemetry } = await flyLanding(s, new BuiltinLunarTeam(rules), {
      record: false,
    });
    const dry = telemetry.find((t) => t.fuel <= 0);
    const td = r.touchdown;
    if (r.safe && (td?.distanceToTarget ?? 99) <= 50) ok++;
    if (r.safe && (td?.distanceToTarget ?? 99) <= 50 && r.fuelUsed <= 2 * (r.fuelLimit ?? 0))
      frugal++;
    console.log(
      `${r.scenarioId.padEnd(18)} ${(td?.verdict ?? r.status).padEnd(11)} vz ${td?.verticalSpeed.toFixed(1) ?? '-'} vx ${td?.horizontalSpeed.toFixed(1) ?? '-'} fuel ${r.fuelUsed.toFixed(0)}/${s.craft.fuelKg.toFixed(0)} x${r.fuelLimit ? (r.fuelUsed / r.fuelLimit).toFixed(2) : '-'} (tank x${r.fuelLimit ? (s.craft.fuelKg / r.fuelLimit).toFixed(2) : '-'}) dist ${td?.distanceToTarget.toFixed(0) ?? '-'} t ${r.seconds.toFixed(0)}${dry ? ` dry at t=${dry.t.toFixed(0)} alt=${dry.altitude.toFixed(0)} vz=${dry.vz.toFixed(1)}` : ''}`,
    );
    if (verbose)
      for (const t of telemetry)
        console.log(
          `   t=${t.t.toFixed(0)} alt=${t.altitude.toFixed(1)} x=${t.x.toFixed(0)} vx=${t.vx.toFixed(1)} vz=${t.vz.toFixed(1)} thr=${t.throttle} pitch=${t.pitchDeg.toFixed(0)} fuel=${t.fuel.toFixed(0)}`,
        );
  }
  console.log(
    `safe within 50 m: ${ok}/${scenarios.length}; and within 2x the vertical limit: ${frugal}`,
  );
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exitCode = 1;
});
