/**
 * `npm run eval:lander`: how the builtin day-one lunar team does on every bundled scenario family
 * (or the families given as arguments, or family JSON files): safe-landing rate, how the others
 * ended, and the fuel of safe landings against the vertical fuel-optimal limit. In-process, no
 * stack needed; deterministic, so the same code gives the same numbers. Writes
 * bench/results/lander-day-one-<date>.json and -latest.json.
 *
 *   npm run eval:lander                         all bundled families (day-one and stress)
 *   npm run eval:lander -- easy high-gate       some of them
 *   npm run eval:lander -- ./my-family.json     a family file no code here has seen
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  BuiltinLunarTeam,
  expandFamily,
  allFamilyNames,
  flyLanding,
  parseFamily,
  rubricJudge,
  type ScenarioFamily,
} from '@reverie/lunar-lander';
import { machineInfo, writeResult } from './support/report';

interface FamilyResult {
  family: string;
  scenarios: number;
  safe: number;
  safeRate: number;
  /** Landings the demo rubric calls satisfied: safe, within 50 m of the site, fuel at most 2x the limit. */
  satisfied: number;
  /** How each landing ended: touchdown verdict, or the flight status when there was none. */
  outcomes: Record<string, number>;
  /** Fuel used / vertical fuel-optimal limit, over safe landings. */
  fuelOverLimit: { median: number | null; min: number | null; max: number | null };
  meanDistanceToSiteM: number | null;
}

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (n: number | null, d = 3) => (n === null ? null : Number(n.toFixed(d)));

function familyOf(arg: string): string | ScenarioFamily {
  if (!arg.endsWith('.json')) return arg;
  if (!existsSync(arg)) throw new Error(`no family file at ${arg}`);
  return parseFamily(JSON.parse(readFileSync(arg, 'utf8')));
}

async function evaluate(family: string | ScenarioFamily): Promise<FamilyResult> {
  const scenarios = expandFamily(family);
  const outcomes: Record<string, number> = {};
  const ratios: number[] = [];
  const distances: number[] = [];
  let safe = 0;
  let satisfied = 0;
  const judge = rubricJudge({ maxDistanceToSite: 50, maxFuelOverLimit: 2 });
  for (const scenario of scenarios) {
    const { result } = await flyLanding(scenario, new BuiltinLunarTeam());
    if (judge(result).satisfied) satisfied++;
    const outcome = result.touchdown?.verdict ?? result.status;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (!result.safe) continue;
    safe++;
    if (result.fuelLimit) ratios.push(result.fuelUsed / result.fuelLimit);
    if (result.touchdown) distances.push(result.touchdown.distanceToTarget);
  }
  return {
    family: scenarios[0]?.family ?? String(family),
    scenarios: scenarios.length,
    safe,
    safeRate: round(safe / scenarios.length) ?? 0,
    satisfied,
    outcomes,
    fuelOverLimit: {
      median: round(median(ratios)),
      min: round(ratios.length ? Math.min(...ratios) : null),
      max: round(ratios.length ? Math.max(...ratios) : null),
    },
    meanDistanceToSiteM: round(
      distances.length ? distances.reduce((a, b) => a + b, 0) / distances.length : null,
      1,
    ),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const families = (args.length ? args : allFamilyNames()).map(familyOf);
  const started = Date.now();
  const results: FamilyResult[] = [];
  for (const family of families) {
    const r = await evaluate(family);
    results.push(r);
    const others = Object.entries(r.outcomes)
      .filter(([k]) => k !== 'safe')
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
    console.log(
      `${r.family.padEnd(16)} safe ${String(r.safe).padStart(3)}/${r.scenarios} (${(r.safeRate * 100).toFixed(0).padStart(3)} %)  rubric ${String(r.satisfied).padStart(2)}/${r.scenarios}  distance ${r.meanDistanceToSiteM?.toFixed(1) ?? '-'} m  fuel/limit median ${r.fuelOverLimit.median?.toFixed(2) ?? '-'} (${r.fuelOverLimit.min?.toFixed(2) ?? '-'}–${r.fuelOverLimit.max?.toFixed(2) ?? '-'})  ${others ? `others: ${others}` : ''}`,
    );
  }
  const path = writeResult({
    benchmark: 'lander-day-one',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    team: 'builtin day-one (no playbook)',
    seconds: (Date.now() - started) / 1000,
    families: results,
  } as { benchmark: string; date: string });
  console.log(`\nwritten to ${path}`);
}

main().catch((err: Error) => {
  console.error(`eval:lander: ${err.message}`);
  process.exitCode = 1;
});
