/**
 * `npm run bench:lander-localisation`: how often the lunar localiser names the right step and
 * role. Plants a known bad decision (a role, a step, a wrong command: an engine cut, a full burn,
 * a hard tilt, a 400 m retarget, a 150 m altitude misreport) into otherwise successful flights of
 * every bundled family (the day-one builtin team, satisfied by the demo rubric), keeps the plants
 * that make the flight fail the rubric, and asks the localiser where each went wrong, given only
 * the recorded session events and the rules in force. A hit is a step within +-2 of the planted
 * step; the role must match too for a role hit. Writes bench/results/lander-localisation-*.json.
 *
 *   npm run bench:lander-localisation [-- --per-family N]
 */
import {
  FAULT_KINDS,
  flyWithFault,
  localiseByShadowReplay,
  localiseFailure,
  type PlantedFault,
  type RoleName,
} from '@reverie/dreaming-lander';
import { allFamilyNames, expandFamily, familyHash, rubricJudge } from '@reverie/lunar-lander';
import { machineInfo, writeResult } from './support/report';

const ROLES: RoleName[] = ['navigator', 'commander', 'detector'];

/** The fault for a plant: roles in turn (so each is measured), kind and step from a hash. */
function faultFor(id: string, role: RoleName, attempt: number, steps: number): PlantedFault {
  const h = (label: string) => familyHash(attempt, id.length, id + label);
  const kinds = FAULT_KINDS[role];
  const kind = kinds[h('kind') % kinds.length];
  const step = 2 + (h('step') % Math.max(1, steps - 8));
  return { role, kind, step, steps: kind === 'wrong-retarget' ? 1 : 4 };
}

async function main() {
  const perFamily = Number(process.argv[process.argv.indexOf('--per-family') + 1]) || 6;
  const judge = rubricJudge();
  const rows: Record<string, unknown>[] = [];
  const started = Date.now();
  for (const family of allFamilyNames()) {
    let planted = 0;
    for (const scenario of expandFamily(family)) {
      if (planted >= perFamily) break;
      const clean = await flyWithFault(
        scenario,
        {},
        { role: 'navigator', kind: 'engine-cut', step: -10, steps: 0 },
      );
      if (!judge(clean.result).satisfied) continue;
      for (let attempt = 0; attempt < 6; attempt++) {
        const fault = faultFor(
          scenario.id,
          ROLES[rows.length % ROLES.length],
          attempt,
          clean.result.steps,
        );
        const faulty = await flyWithFault(scenario, {}, fault);
        const verdict = judge(faulty.result);
        if (verdict.satisfied) continue;
        const byDivergence = await localiseByShadowReplay(scenario, faulty.events, {});
        const byCounterfactual = byDivergence ? null : await localiseFailure(scenario, {});
        const found =
          byDivergence ?? (byCounterfactual && { ...byCounterfactual, method: 'counterfactual' });
        rows.push({
          scenario: scenario.id,
          family,
          fault,
          failed: verdict.failed,
          found: found
            ? {
                step: found.step,
                role: found.role,
                method: found.method,
                confidence: found.confidence,
              }
            : null,
          stepHit: !!found && Math.abs(found.step - fault.step) <= 2,
          roleHit: !!found && found.role === fault.role,
        });
        planted++;
        break;
      }
    }
  }
  const n = rows.length;
  const stepHits = rows.filter((r) => r.stepHit).length;
  const bothHits = rows.filter((r) => r.stepHit && r.roleHit).length;
  const roleHits = rows.filter((r) => r.roleHit).length;
  const byRole = Object.fromEntries(
    ROLES.map((role) => {
      const mine = rows.filter((r) => (r.fault as PlantedFault).role === role);
      return [
        role,
        {
          planted: mine.length,
          stepHits: mine.filter((r) => r.stepHit).length,
          roleHits: mine.filter((r) => r.roleHit).length,
        },
      ];
    }),
  );
  console.log(`planted faults that failed the rubric: ${n}`);
  console.log(`step accuracy (+-2): ${stepHits}/${n} = ${((100 * stepHits) / n).toFixed(1)} %`);
  console.log(`role accuracy:       ${roleHits}/${n} = ${((100 * roleHits) / n).toFixed(1)} %`);
  console.log(`step and role:       ${bothHits}/${n} = ${((100 * bothHits) / n).toFixed(1)} %`);
  for (const [role, r] of Object.entries(byRole))
    console.log(`  ${role.padEnd(10)} ${JSON.stringify(r)}`);
  const path = writeResult({
    benchmark: 'lander-localisation',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    seconds: (Date.now() - started) / 1000,
    planted: n,
    stepAccuracy: stepHits / n,
    roleAccuracy: roleHits / n,
    stepAndRoleAccuracy: bothHits / n,
    byRole,
    rows,
  } as { benchmark: string; date: string });
  console.log(`written to ${path}`);
}

main().catch((err: Error) => {
  console.error(`bench:lander-localisation: ${err.message}`);
  process.exitCode = 1;
});
