import {
  BuiltinLunarTeam,
  LUNAR_LANDER_ENVIRONMENT,
  LanderError,
  flyLanding,
  rubricJudge,
  scoreObjective,
  scenariosFromJson,
  type LandingJudge,
  type LandingJudgement,
  type LandingRubric,
  type LandingResult,
  type RoleRules,
  type Scenario,
} from '@reverie/lunar-lander';
import { gradeRuns, rateIntervalText, sandboxUngradableCriteria } from '@reverie/dreaming-domain';
import { landingRun } from '@reverie/dreaming-lander';
import { offlineEnvironment, taskRefs } from '@reverie/dreaming-feature';
import { failedGraded, type OutcomeDefinition } from '@reverie/outcomes-domain';
import { CliError } from '../api.client';
import { secondsLeft } from '../progress';
import type { EvalIo } from './eval-triage.command';
import { type LearnedFrom, seenNote, seenTasks } from './learned-from';
import {
  followerName,
  type PlaybookFile,
  playbookFromJson,
  readPlaybookFileJson,
  refuseOtherRole,
  refuseUnusable,
  splitPlaybookSpec,
  whoseRole,
} from './playbook-file';
import { readJsonFile } from './json-file';
import { readOutcomeFile } from './outcome-file';

export interface EvalLanderOptions {
  /** A family file (`{family, count, seed, base, vary}`), a scenario, or an array of scenarios. */
  scenarios: string;
  /**
   * Playbook files, one per role, in the format `GET /v1/agents/:id/playbook?role=<role>`
   * answers; the role is the file's `role` field, or named `role=file`.
   */
  playbooks?: string[];
  rubric?: LandingRubric;
  /** An outcome definition file to grade by instead of the rubric (PUT /v1/agents/:id/outcome body). */
  outcome?: string;
}

/** The demo rubric: safe, within 50 m of the planned site, fuel at most 2x the vertical limit. */
export const EVAL_LANDER_RUBRIC: LandingRubric = { maxDistanceToSite: 50, maxFuelOverLimit: 2 };

const ROLES = ['detector', 'commander', 'navigator'];
/** The lunar team's offline environment: which rules a role skips, as a dream sees them. */
const LANDER = offlineEnvironment('lander');

/** The scenarios a file holds (`scenariosFromJson`): a family, a scenario, or a list of either. */
export function readScenarios(file: string): Scenario[] {
  const json = readJsonFile(file, 'scenarios');
  try {
    return scenariosFromJson(json);
  } catch (err) {
    if (err instanceof LanderError) throw new CliError(`${file}: ${err.message}`, 2);
    throw err;
  }
}

/**
 * The rules by role from `role=file` or role-carrying playbook files. A file whose `role` is not
 * the one named, or none of whose rules its role can follow, is refused; `onSkip` hears of each
 * rule a role will skip, `onRead` of each file as read.
 */
export function readRolePlaybooks(
  specs: readonly string[],
  onSkip: (note: string) => void = () => undefined,
  onRead: (file: string, playbook: PlaybookFile) => void = () => undefined,
): RoleRules {
  const out: Record<string, unknown[]> = {};
  for (const spec of specs) {
    const { role, file, json } = playbookRole(spec);
    // One playbook a role, as `dream --offline` takes them: two would run every rule twice.
    if (out[role])
      throw new CliError(
        `--playbook ${spec}: a second playbook for the ${role}; give one per role`,
        2,
      );
    const playbook = playbookFromJson(file, json);
    onRead(file, playbook);
    const { rules } = playbook;
    const skipped = LANDER.skippedRules(role, rules);
    refuseUnusable(file, followerName('lander', role), rules, skipped);
    for (const s of skipped) onSkip(`note: ${file}: rule ${s.entryId} skipped: ${s.reason}`);
    // The role would skip them anyway; left out, they are not counted as its rules either.
    const skippedIds = new Set(skipped.map((s) => s.entryId));
    (out[role] ??= []).push(...rules.filter((r) => !skippedIds.has(r.entryId)));
  }
  return out as RoleRules;
}

/**
 * Which role `[role=]FILE` is for: the named one, which must match the file's own `role`; with
 * the file's JSON, read once.
 */
function playbookRole(spec: string): { role: string; file: string; json: unknown } {
  const { named, file } = splitPlaybookSpec(spec);
  if (named && !ROLES.includes(named))
    throw new CliError(`--playbook ${spec}: no role "${named}"; roles: ${ROLES.join(', ')}`, 2);
  const json = readPlaybookFileJson(file);
  const declared = (json as { role?: unknown } | null)?.role;
  refuseOtherRole(file, named, declared);
  const role = named ?? declared;
  if (typeof role !== 'string' || !ROLES.includes(role))
    throw whoseRole(file, playbookFromJson(file, json).rules, ROLES, (r, rules) =>
      LANDER.skippedRules(r, rules),
    );
  return { role, file, json };
}

/** Every 5 s on stderr: flights flown, and how long the rest will take at this pace. */
function flightProgress(io: EvalIo, total: number): (flown: number) => void {
  const start = Date.now();
  let last = start;
  return (flown) => {
    const now = Date.now();
    if (now - last < 5_000 || flown === total) return;
    last = now;
    io.log(
      `flown ${flown}/${total} scenarios; about ${secondsLeft(start, now, flown, total)} s to go`,
    );
  };
}

interface Row {
  scenario: string;
  family: string;
  outcome: string;
  satisfied: boolean;
  failed: string[];
  distanceToSite: number | null;
  fuelOverLimit: number | null;
  touchdownSpeed: number | null;
}

/** How a landing ended: its touchdown verdict, or the run's status when it never touched down. */
const outcomeOf = (r: LandingResult): string => r.touchdown?.verdict ?? r.status;

function row(r: LandingResult, judge: LandingJudge): Row {
  const j = judge(r);
  return {
    scenario: r.scenarioId,
    family: r.family,
    outcome: outcomeOf(r),
    satisfied: j.satisfied,
    failed: j.failed,
    distanceToSite: r.touchdown ? Number(r.touchdown.distanceToTarget.toFixed(1)) : null,
    fuelOverLimit: r.fuelLimit ? Number((r.fuelUsed / r.fuelLimit).toFixed(3)) : null,
    touchdownSpeed: r.touchdown ? Number(r.touchdown.verticalSpeed.toFixed(2)) : null,
  };
}

const n = (v: number | null, d = 2) => (v === null ? '-' : v.toFixed(d));

/**
 * How the landings that were not safe ended, by outcome (`hard`, `tipped`, `hazard`, `crashed`,
 * `out_of_fuel`, `timeout`, ...), most first: a safe rate that falls says more with its causes.
 */
function notSafeCounts(results: readonly LandingResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    if (r.safe) continue;
    const outcome = outcomeOf(r);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

const notSafeText = (counts: Record<string, number>) => {
  const parts = Object.entries(counts).map(([k, v]) => `${k} ${v}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
};

/**
 * `reverie eval lander --scenarios FILE [--playbook [role=]FILE ...] [--outcome FILE] [--json]`:
 * flies the builtin team (with the playbooks' rules) on your own scenarios, offline (no stack),
 * and prints per scenario and per family whether the landing satisfies the rubric (safe, within
 * 50 m of the site, fuel at most 2x the vertical limit) or the outcome definition given, graded
 * as a dream's sandbox grades it, with the distance to the site and fuel beside it.
 */
export async function evalLanderCommand(io: EvalIo, options: EvalLanderOptions): Promise<number> {
  const scenarios = readScenarios(options.scenarios);
  // Notes go to stderr as they come and into the `--json` answer, where stderr stays quiet.
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line.replace(/^note: /, ''));
    io.log(line);
  };
  // A team's playbooks, learned together: one note for those that saw some of these scenarios.
  const learned: { file: string; from: LearnedFrom[] }[] = [];
  const refs = taskRefs(scenarios);
  const rules = readRolePlaybooks(options.playbooks ?? [], note, (file, playbook) => {
    const seen = seenTasks(playbook.learnedFrom, refs);
    if (seen.train.length || seen.validation.length)
      learned.push({ file, from: playbook.learnedFrom });
  });
  const seen = learned.length
    ? seenTasks(
        learned.flatMap((l) => l.from),
        refs,
      )
    : null;
  const seenLine = seen
    ? seenNote(
        learned.map((l) => l.file),
        seen,
        'scenarios',
      )
    : null;
  if (seenLine) note(`note: ${seenLine}`);
  const definition = options.outcome
    ? readOutcomeFile(options.outcome, LUNAR_LANDER_ENVIRONMENT.name, 'result-with-steps')
    : null;
  const rubric = options.rubric ?? EVAL_LANDER_RUBRIC;
  const results: LandingResult[] = [];
  const progress = flightProgress(io, scenarios.length);
  for (const scenario of scenarios) {
    results.push(
      (await flyLanding(scenario, new BuiltinLunarTeam(rules), { record: false })).result,
    );
    progress(results.length);
  }
  const judge = definition ? await outcomeJudge(definition, results) : rubricJudge(rubric);
  const rows = results.map((r) => row(r, judge));
  const families = [...new Set(results.map((r) => r.family))].map((family) => {
    const mine = results.filter((r) => r.family === family);
    return { family, ...scoreObjective(mine, judge), notSafe: notSafeCounts(mine) };
  });
  const all = { ...scoreObjective(results, judge), notSafe: notSafeCounts(results) };
  if (io.json) {
    const playbooks = Object.fromEntries(
      Object.entries(rules).map(([k, v]) => [k, (v as unknown[]).length]),
    );
    io.out(
      JSON.stringify(
        {
          scenariosFile: options.scenarios,
          ...(definition
            ? { outcome: { file: options.outcome, ...describeOutcome(definition) } }
            : { rubric }),
          rulesByRole: playbooks,
          notes,
          // Scenarios the playbooks were learned from (train) or chosen on (validation).
          ...(seen && { seen }),
          aggregate: all,
          families,
          scenarios: rows,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  // Columns as wide as their longest value (`out_of_bounds` is 13 characters).
  const w = Math.max(8, ...rows.map((r) => r.scenario.length));
  const ow = Math.max(12, ...rows.map((r) => r.outcome.length));
  io.out(
    `${'scenario'.padEnd(w)}  ${'outcome'.padEnd(ow)}  ${definition ? 'graded' : 'rubric'}  distance m  fuel x limit  touchdown m/s  failed`,
  );
  for (const r of rows)
    io.out(
      `${r.scenario.padEnd(w)}  ${r.outcome.padEnd(ow)}  ${(r.satisfied ? 'yes' : 'no').padEnd(6)}  ${n(r.distanceToSite, 1).padStart(10)}  ${n(r.fuelOverLimit).padStart(12)}  ${n(r.touchdownSpeed).padStart(13)}  ${r.failed.join(', ')}`,
    );
  io.out('');
  if (definition) {
    const { description, notGradable } = describeOutcome(definition);
    io.out(`outcome: ${description} (${options.outcome})`);
    if (notGradable.length)
      io.out(
        `not gradable offline (counted neither way; live grading checks them): ${notGradable.join(', ')}`,
      );
  } else
    io.out(
      `rubric: safe, within ${rubric.maxDistanceToSite} m of the site, fuel at most ${rubric.maxFuelOverLimit}x the vertical limit`,
    );
  // The total's row reads "all families", so a family named "all" keeps a row of its own.
  const totals = [...families, { ...all, family: 'all families' }];
  const fw = Math.max(16, ...totals.map((f) => f.family.length));
  for (const f of totals)
    io.out(
      `${f.family.padEnd(fw)} satisfied ${f.satisfied}/${f.flights} (${((100 * f.satisfied) / f.flights).toFixed(0)} %; 95% CI ${rateIntervalText(f.satisfied, f.flights)} %), safe ${f.safe}/${f.flights}${notSafeText(f.notSafe)}, ${f.medianFuelOverLimit === null ? 'no satisfied landing to take a fuel median of' : `median fuel x${n(f.medianFuelOverLimit)} (satisfied)`}, ${f.meanDistance === null ? 'no safe landing to measure a distance on' : `mean distance ${n(f.meanDistance, 1)} m (safe)`}`,
    );
  return 0;
}

/**
 * Grades every landing by the outcome definition as a dream's sandbox does (`gradeRuns` on the
 * landing's result), as a judge of those same results.
 */
async function outcomeJudge(
  definition: OutcomeDefinition,
  results: readonly LandingResult[],
): Promise<LandingJudge> {
  const grades = await gradeRuns(
    definition,
    LUNAR_LANDER_ENVIRONMENT.name,
    results.map((r) => landingRun(r.scenarioId, r.family, r)),
  );
  const verdicts = new Map<LandingResult, LandingJudgement>(
    results.map((r, i) => [
      r,
      {
        satisfied: grades[i].satisfied,
        failed: failedGraded(grades[i].criteria).map((c) => c.id),
      },
    ]),
  );
  return (r) => verdicts.get(r) ?? { satisfied: false, failed: [] };
}

function describeOutcome(definition: OutcomeDefinition) {
  return {
    description: definition.description,
    notGradable: [...sandboxUngradableCriteria(definition, 'result-with-steps').keys()],
  };
}
