/**
 * `npm run bench:lander-dreams`: does lunar learning hold on scenarios no dream touched? For each
 * bundled family (day-one and stress), `--count` scenarios (default 120, the same for every
 * family) are split by id as a dream splits them (train / validation / test); three dreams run
 * the guidance search on train (`--budget` flights each; default 2100, the most a dream with the
 * dreamer's default budget gives it: its 0.7 share of 3000 when localising spends nothing),
 * choose and gate on validation with the product's gate (`gateCandidate` with the lander
 * dreamer's options, on its default objective; the validation lines it prints are what it read),
 * and the numbers reported per family come from the TEST split: the
 * rubric-satisfied rate (demo rubric: safe, within 50 m of the site, fuel at most 2x the vertical
 * limit), the median fuel over the limit on satisfied landings, and the mean distance to the site,
 * per family, on day one and after each dream. One agent per family (each learns its own mission).
 * Writes bench/results/lander-dreams-*.json.
 *
 *   npm run bench:lander-dreams [-- --budget 2100 --count 120 --pool 2 --families a,b --seed 16 --fresh 300 [--fresh-each] [--draws 60]]
 *   npm run bench:lander-dreams -- --seeds 16,100,1,2,3 [--fresh 300]
 *   npm run bench:lander-dreams -- --rules bench/results/lander-dreams-<date>.json [--fresh 300]
 *
 * `--seeds a,b,...` runs the whole bench once per search seed and then prints, per family, the
 * test split and the fresh scenarios at every seed and at how many seeds the rate doubled: one
 * dream's outcome hangs on a few lucky draws, so a target met or missed at one seed says little.
 *
 * `--rules FILE` dreams nothing: it flies the final rules FILE recorded for each family (a result
 * of this bench) on the fresh scenarios, as the team's code flies them now. A change to the
 * team's laws is then measured apart from what the search would find with it. Writes nothing.
 */
import {
  DEFAULT_GATE,
  gateCandidate,
  gradeRuns,
  rateInterval,
  rateIntervalText,
  splitValidationTest,
  withPromotionRules,
} from '@reverie/dreaming-domain';
import {
  DEFAULT_DREAMER_OPTIONS,
  DEFAULT_GUIDANCE_SHARE,
  guidanceTrainEvidence,
  LanderDreamer,
} from '@reverie/dreaming-feature';
import {
  FlightPool,
  guidanceSearchSet,
  landingRun,
  MIN_SEARCH_SET,
  searchGuidance,
  splitScenarios,
  withRules,
} from '@reverie/dreaming-lander';
import {
  allFamilyNames,
  BUNDLED_FAMILIES,
  rubricJudge,
  scoreObjective,
  type ObjectiveScore,
  expandFamily,
  freshDraws,
  parseFamily,
  STRESS_FAMILIES,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import { readFileSync } from 'node:fs';
import { machineInfo, writeResult } from './support/report';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUBRIC = { maxDistanceToSite: 50, maxFuelOverLimit: 2 };
const judge = rubricJudge(RUBRIC);
/**
 * The product's gate: the lander dreamer's options over DEFAULT_GATE, with its default objective's
 * promotion rules (it holds `safe`), on that objective (the same rubric).
 */
const DREAMER = new LanderDreamer();
const GATE = withPromotionRules({ ...DEFAULT_GATE, ...DREAMER.gate }, DREAMER.defaultObjective);

/** A bundled family, drawing its first `count` scenarios. */
function familyOf(name: string, count: number) {
  const family = STRESS_FAMILIES[name] ?? BUNDLED_FAMILIES[name];
  if (!family) throw new Error(`unknown family "${name}"; bundled: ${allFamilyNames().join(', ')}`);
  return parseFamily({ ...family, count });
}

/** `count` scenarios of a bundled family (the first 20 are the family's own; more are drawn alike). */
function scenariosOf(name: string, count: number): Scenario[] {
  return expandFamily(familyOf(name, count));
}

/** The `howMany` scenarios after the first `count` of a family (no split holds them). */
function freshSetOf(name: string, count: number, howMany = FRESH): Scenario[] {
  return scenariosOf(name, count + howMany).slice(count);
}

async function score(pool: FlightPool, scenarios: Scenario[], rules: RoleRules) {
  const results = await pool.flyAll(scenarios.map((scenario) => ({ scenario, rules })));
  const graded = await gradeRuns(
    DREAMER.defaultObjective,
    DREAMER.environment,
    results.map((r, i) => landingRun(scenarios[i].id, scenarios[i].family ?? '', r)),
  );
  return { score: scoreObjective(results, judge), graded };
}

const line = (s: ObjectiveScore) =>
  `${String(s.satisfied).padStart(2)}/${s.flights} satisfied (${((100 * s.satisfied) / s.flights).toFixed(0).padStart(3)} %, 95% CI ${rateIntervalText(s.satisfied, s.flights)} %), fuel x${s.medianFuelOverLimit?.toFixed(2) ?? '  - '}, ${s.meanDistance === null ? '-' : s.meanDistance.toFixed(1)} m from site`;

/**
 * `--seed S`: the guidance search of dream d draws with seed S + d (default 16, as a dream);
 * `--seeds S1,S2,...`: the bench once per seed.
 */
const SEEDS = arg('seeds', arg('seed', '16'))
  .split(',')
  .map((s) => (/^\d+$/.test(s.trim()) ? Number(s) : NaN));
/**
 * `--fresh N`: also fly day one and the final rules on N more scenarios of each family, drawn
 * after the `--count` the splits come from (no dream, gate or test split saw them): a larger
 * held-out sample than a family's 13–24 test scenarios, for comparing changes without reading
 * the test split. Default 0 (skipped).
 */
const FRESH = Number(arg('fresh', '0'));
/**
 * `--fresh-each`: with `--fresh N`, fly the rules after every dream on those N scenarios too (how
 * many each promotion kept safe and satisfied, not only the end state). Off by default: it costs
 * three more passes over them a family.
 */
const FRESH_EACH = process.argv.includes('--fresh-each');
/**
 * `--draws N`: as an offline dream on a file of families (`dream --offline --fresh-draws N`),
 * validation also flies N more draws of the family, and the guidance search flies draws past
 * those after the training split (up to `MIN_SEARCH_SET` scenarios in all). They are drawn after
 * the `--fresh` scenarios, so they never overlap them. Default 0: as a service dream, which flies
 * no draws.
 */
const DRAWS = Number(arg('draws', '0'));

/** `n` scenarios of the family past its first `count + skip` (as `freshDraws` draws them). */
function drawsOf(name: string, count: number, n: number, skip: number): Scenario[] {
  return n > 0 ? freshDraws(familyOf(name, count), n, skip) : [];
}

async function dreamFamily(
  pool: FlightPool,
  name: string,
  budget: number,
  count: number,
  seed: number,
) {
  const all = scenariosOf(name, count);
  const { train, heldOut } = splitScenarios(all);
  const split = splitValidationTest(heldOut, 'reverie/lunar-lander');
  const { test } = split;
  const validation = [...split.validation, ...drawsOf(name, count, DRAWS, FRESH)];
  const searchSet = DRAWS
    ? guidanceSearchSet([...train, ...drawsOf(name, count, MIN_SEARCH_SET, FRESH + DRAWS)], budget)
    : train;
  let rules: RoleRules = {};
  const curve: {
    dream: number;
    test: ObjectiveScore;
    promoted: string | null;
    train?: { before: ObjectiveScore; best: ObjectiveScore | null };
    validationBefore?: ObjectiveScore;
    gated?: { validation: ObjectiveScore; gate: string; promote: boolean }[];
    fresh?: ObjectiveScore;
  }[] = [{ dream: 0, test: (await score(pool, test, rules)).score, promoted: null }];
  const freshEach = FRESH_EACH && FRESH > 0 ? freshSetOf(name, count) : [];
  console.log(
    `${name}: train ${train.length}${searchSet.length > train.length ? ` (the search also flies ${searchSet.length - train.length} draws)` : ''}, validation ${validation.length}${DRAWS ? ` (${split.validation.length} held out, ${validation.length - split.validation.length} draws)` : ''}, test ${test.length}`,
  );
  console.log(`  day one   test ${line(curve[0].test)}`);
  for (let dream = 1; dream <= 3; dream++) {
    const report = await searchGuidance(searchSet, rules, {
      pool,
      judge,
      maxSimulations: budget,
      seed: seed + dream,
    });
    const before = await score(pool, validation, rules);
    let promoted: string | null = null;
    const gated: { validation: ObjectiveScore; gate: string; promote: boolean }[] = [];
    // As the product's validate stage: the front's best three, the first the gate promotes.
    for (const cand of report.front.filter((c) => c.rules.length).slice(0, 3)) {
      const next = withRules(
        rules,
        cand.rules.map(({ role, rule }) => ({ role, rule })),
      );
      const after = await score(pool, validation, next);
      const m = gateCandidate(
        before.graded,
        after.graded,
        GATE,
        guidanceTrainEvidence(report.baseline.score, cand.score),
      );
      gated.push({ validation: after.score, gate: m.reason, promote: m.promote });
      console.log(
        `    candidate ${gated.length}: train ${cand.score.satisfied}/${cand.score.flights} x${cand.score.medianFuelOverLimit?.toFixed(2) ?? '-'}; validation ${line(after.score)}; gate: ${m.promote ? 'promote' : `refuse (${m.reason})`}`,
      );
      if (m.promote) {
        rules = next;
        promoted = `${cand.rules.length} parameter set(s): validation ${before.score.satisfied} -> ${after.score.satisfied}/${validation.length}`;
        break;
      }
    }
    const t = (await score(pool, test, rules)).score;
    const f = freshEach.length ? (await score(pool, freshEach, rules)).score : undefined;
    curve.push({
      dream,
      test: t,
      promoted,
      train: { before: report.baseline.score, best: report.front[0]?.score ?? null },
      validationBefore: before.score,
      gated,
      ...(f && { fresh: f }),
    });
    console.log(
      `  dream ${dream}   validation before ${line(before.score)}\n            test ${line(t)}   ${promoted ? `promoted ${promoted}` : 'nothing promoted'}${f ? `\n            ${f.flights} fresh ${line(f)}, ${f.safe} safe` : ''}`,
    );
  }
  // With `--fresh-each`, the final rules have flown the fresh scenarios already.
  const fresh =
    FRESH > 0 ? await freshScores(pool, name, count, rules, FRESH, curve[3].fresh) : null;
  if (fresh)
    console.log(
      `  ${FRESH} fresh scenarios: day one ${line(fresh.dayOne)}\n                     after 3 dreams ${line(fresh.after)}`,
    );
  const day1 = curve[0].test;
  const last = curve[3].test;
  return {
    family: name,
    split: { train: train.length, validation: validation.length, test: test.length },
    curve,
    dayOneRate: day1.satisfied / day1.flights,
    afterThreeRate: last.satisfied / last.flights,
    /** 95 % Wilson intervals of the two test-split rates. */
    dayOneInterval: rateInterval(day1.satisfied, day1.flights),
    afterThreeInterval: rateInterval(last.satisfied, last.flights),
    doubled: doubled(day1, last),
    regressed: last.satisfied < day1.satisfied,
    finalRules: rules,
    fresh,
  };
}

/** Whether the satisfied rate at least doubled; null where day one was already at 50 % or more. */
const doubled = (day1: ObjectiveScore, last: ObjectiveScore) =>
  day1.satisfied / day1.flights < 0.5
    ? last.satisfied >= 2 * day1.satisfied && last.satisfied > 0
    : null;

/**
 * Day one and `rules` on the `FRESH` scenarios after the first `count` of a family; `flown`: what
 * `rules` scored on them already, if they were flown.
 */
async function freshScores(
  pool: FlightPool,
  name: string,
  count: number,
  rules: RoleRules,
  howMany = FRESH,
  flown?: ObjectiveScore,
) {
  const fresh = freshSetOf(name, count, howMany);
  const dayOne = (await score(pool, fresh, {})).score;
  const after = flown ?? (await score(pool, fresh, rules)).score;
  return {
    flights: fresh.length,
    dayOne,
    after,
    doubled: doubled(dayOne, after),
    regressed: after.satisfied < dayOne.satisfied,
  };
}

type FamilyRow = Awaited<ReturnType<typeof dreamFamily>>;

/** A table row's score columns: the 95% interval, median fuel, mean distance. */
function scoreColumns(s: ObjectiveScore, fuelWidth: number): string {
  const fuel = (s.medianFuelOverLimit?.toFixed(2) ?? '-').padStart(fuelWidth);
  const dist = (s.meanDistance?.toFixed(1) ?? '-').padStart(10);
  return `${rateIntervalText(s.satisfied, s.flights).padStart(8)}  ${fuel}  ${dist}`;
}

/** A table row's last columns: the score columns, then the two verdicts. */
function verdictColumns(
  s: ObjectiveScore,
  doubled: boolean | null,
  regressed: boolean,
  fuelWidth: number,
): string {
  const verdict = doubled === null ? '    -' : doubled ? '  yes' : '   no';
  return `${scoreColumns(s, fuelWidth)}  ${verdict}  ${regressed ? 'yes' : 'no'}`;
}

/** The table again on the `--fresh` scenarios (no split holds them), and the totals. */
function printFresh(rows: readonly FamilyRow[]) {
  console.log(
    `\n${FRESH} fresh scenarios a family   day one  after 3  (95% CI)  fuel x  distance m  doubled  regressed`,
  );
  for (const r of rows) {
    if (!r.fresh) continue;
    const { dayOne, after } = r.fresh;
    console.log(
      `${r.family.padEnd(32)} ${String(dayOne.satisfied).padStart(7)} ${String(after.satisfied).padStart(8)}  ${verdictColumns(after, r.fresh.doubled, r.fresh.regressed, 6)}`,
    );
  }
  const sum = (k: 'dayOne' | 'after') =>
    rows.reduce((n, r) => n + (r.fresh ? r.fresh[k].satisfied : 0), 0);
  console.log(
    `fresh scenarios, all families: day one ${sum('dayOne')}, after 3 dreams ${sum('after')} of ${rows.length * FRESH} satisfied`,
  );
}

/**
 * `--rules FILE`: the final rules FILE holds for each family, flown on the fresh scenarios (drawn
 * after the file's own `--count`, unless `--count` says otherwise).
 */
async function flyRecordedRules(file: string) {
  type Recorded = { family: string; finalRules: RoleRules }[];
  let recorded: {
    scenariosPerFamily?: number;
    families?: Recorded;
    runs?: { seed: number; families: Recorded }[];
  };
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--rules ${file}: ${(err as Error).message}`);
  }
  // A result of several seeds: the first seed's rules.
  const families = recorded.families ?? recorded.runs?.[0]?.families;
  if (!Array.isArray(families))
    throw new Error(`--rules ${file}: not a lander-dreams result (no "families" list)`);
  const count = Number(arg('count', String(recorded.scenariosPerFamily ?? 120)));
  const fresh = FRESH > 0 ? FRESH : 300;
  const pool = new FlightPool(Number(arg('pool', '2')));
  console.log(
    `the final rules of ${file}, flown on ${fresh} fresh scenarios a family (after the first ${count})\n` +
      `family           day one  these rules  (95% CI)  fuel x  distance m`,
  );
  let dayOneTotal = 0;
  let total = 0;
  try {
    for (const { family, finalRules } of families) {
      const { dayOne, after } = await freshScores(pool, family, count, finalRules, fresh);
      dayOneTotal += dayOne.satisfied;
      total += after.satisfied;
      console.log(
        `${family.padEnd(16)} ${String(dayOne.satisfied).padStart(7)} ${String(after.satisfied).padStart(12)}  ${scoreColumns(after, 6)}`,
      );
    }
  } finally {
    await pool.close();
  }
  console.log(
    `all families: day one ${dayOneTotal}, these rules ${total} of ${families.length * fresh} satisfied`,
  );
}

/** The table of one seed's run on the test split. */
function printTest(rows: readonly FamilyRow[]) {
  console.log(
    '\nfamily            day one  after 3  (95% CI)  test fuel x  distance m  doubled  regressed',
  );
  for (const r of rows) {
    const last = r.curve[3].test;
    console.log(
      `${r.family.padEnd(16)} ${(100 * r.dayOneRate).toFixed(0).padStart(6)} % ${(100 * r.afterThreeRate).toFixed(0).padStart(6)} %  ${verdictColumns(last, r.doubled, r.regressed, 9)}`,
    );
  }
}

/** The bench at one search seed: every family dreamed, then its tables. */
async function benchAtSeed(
  pool: FlightPool,
  families: readonly string[],
  budget: number,
  count: number,
  seed: number,
): Promise<FamilyRow[]> {
  if (SEEDS.length > 1) console.log(`\n=== search seed ${seed}`);
  const rows: FamilyRow[] = [];
  for (const name of families) rows.push(await dreamFamily(pool, name, budget, count, seed));
  printTest(rows);
  if (FRESH > 0) printFresh(rows);
  return rows;
}

interface SeedRun {
  seed: number;
  families: FamilyRow[];
}

/** `satisfied (fuel)` after three dreams, for one seed's cell of the across-seeds tables. */
const cell = (s: ObjectiveScore) =>
  `${s.satisfied} (${s.medianFuelOverLimit?.toFixed(2) ?? '-'})`.padStart(12);

/** How many runs doubled the rate and regressed; '-' where day one was at 50 % or more. */
function verdictCounts(verdicts: readonly { doubled: boolean | null; regressed: boolean }[]) {
  const n = verdicts.length;
  const doubled =
    verdicts[0].doubled === null ? '-' : `${verdicts.filter((v) => v.doubled).length}/${n}`;
  return `${doubled.padStart(7)}  ${`${verdicts.filter((v) => v.regressed).length}/${n}`.padStart(9)}`;
}

/**
 * Per family, what three dreams end with at every seed (satisfied, with the median fuel over the
 * limit of the satisfied landings), and at how many seeds the rate doubled or fell below day one:
 * on the test split, then on the fresh scenarios.
 */
function printAcrossSeeds(runs: readonly SeedRun[]) {
  const seeds = runs.map((r) => `seed ${r.seed}`.padStart(12)).join('');
  const table = (
    title: string,
    pick: (r: FamilyRow) => {
      dayOne: ObjectiveScore;
      after: ObjectiveScore;
      doubled: boolean | null;
      regressed: boolean;
    } | null,
  ) => {
    console.log(
      `\n${title}\n${'family'.padEnd(16)} ${'day one'.padStart(12)}${seeds}  doubled  regressed`,
    );
    runs[0].families.forEach((row, i) => {
      const at = runs.map((r) => pick(r.families[i]));
      if (at.some((a) => a === null)) return;
      const got = at as NonNullable<(typeof at)[number]>[];
      console.log(
        `${row.family.padEnd(16)} ${cell(got[0].dayOne)}${got.map((a) => cell(a.after)).join('')}  ${verdictCounts(got)}`,
      );
    });
  };
  table('across seeds, test split: satisfied after 3 dreams (median fuel / limit)', (r) => ({
    dayOne: r.curve[0].test,
    after: r.curve[3].test,
    doubled: r.doubled,
    regressed: r.regressed,
  }));
  if (FRESH > 0) table(`across seeds, ${FRESH} fresh scenarios a family`, (r) => r.fresh);
}

async function main() {
  const rulesFile = arg('rules', '');
  if (rulesFile) return flyRecordedRules(rulesFile);
  if (!SEEDS.length || SEEDS.some((s) => !Number.isSafeInteger(s)))
    throw new Error(
      `--seed / --seeds take whole numbers (--seeds comma-separated), got "${arg('seeds', arg('seed', ''))}"`,
    );
  // A dream spends up to 35 % of its budget localising, and the guidance search gets its share of
  // what is left: this default is the most it gets, so a dream at the default budget searches less.
  const guidanceMost = Math.floor(DEFAULT_DREAMER_OPTIONS.maxSimulations * DEFAULT_GUIDANCE_SHARE);
  const budget = Number(arg('budget', String(guidanceMost)));
  const pool = new FlightPool(Number(arg('pool', '2')));
  const families = arg('families', allFamilyNames().join(',')).split(',');
  const count = Number(arg('count', '120'));
  const started = Date.now();
  const runs: SeedRun[] = [];
  try {
    for (const seed of SEEDS)
      runs.push({ seed, families: await benchAtSeed(pool, families, budget, count, seed) });
  } finally {
    await pool.close();
  }
  if (runs.length > 1) printAcrossSeeds(runs);
  const result = {
    benchmark: 'lander-dreams',
    date: new Date().toISOString(),
    node: process.version,
    machine: machineInfo(),
    seconds: (Date.now() - started) / 1000,
    rubric: RUBRIC,
    gate: GATE,
    scenariosPerFamily: count,
    seed: SEEDS[0],
    freshPerFamily: FRESH,
    drawsPerFamily: DRAWS,
    budgetPerDream: budget,
    poolSize: pool.size,
    // One seed's rows, or every seed's (`--rules FILE` flies the first).
    ...(runs.length > 1 ? { seeds: SEEDS, runs } : { families: runs[0].families }),
  };
  const path = writeResult(result);
  console.log(`written to ${path}`);
}

main().catch((err: Error) => {
  console.error(`bench:lander-dreams: ${err.message}`);
  process.exitCode = 1;
});
