/**
 * The triage dream's reflect stage and whether what it learns holds on logs it never saw. Offline
 * (no stack): `npm run bench:triage -- --reflect [--cycles 3]`.
 *
 * Splits the bundled cases as the triage dreamer does (train / validation / test by case id).
 * Each cycle is one dream: the contrastive search on the train cases in their own format (the
 * reflect stage, timed: wall and CPU), then the gate on the validation cases (macro F1 up by the
 * margin, no case down by more than the tolerance); a passing rule set is kept for the next
 * cycle. The test cases are never read by a dream: they are reported per log-format family (the
 * dataset's own logs, then the same builds as GitHub Actions raw and full logs, Jenkins and
 * GitLab print them, formats no train case has), against day one.
 */
import { cpus, hostname } from 'node:os';
import {
  DEFAULT_SPLIT,
  familyOf,
  LOG_FAMILIES,
  loadDataset,
  reformatCase,
  splitCases,
  type TriageCase,
} from '@reverie/ci-log-triage';
import { splitValidationTest } from '@reverie/dreaming-domain';
import {
  DEFAULT_VALIDATION,
  scoreRuleSet,
  searchAlternatives,
  searchTriageRules,
  validateTriageRules,
} from '@reverie/dreaming-triage';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { join } from 'node:path';
import { writeResult } from './support/report';

/**
 * Rule-set evaluations a dream's search may spend (REVERIE_TRIAGE_EVALUATIONS). The default is
 * what `reverie dream --offline` gives a dream (3000 simulations), so the
 * bench measures the dream a user runs; the search stops earlier when its proposals run out
 * (about 560 evaluations on the bundled train split).
 */
const EVALUATIONS = Number(process.env['REVERIE_TRIAGE_EVALUATIONS'] ?? 3000);

interface CycleResult {
  cycle: number;
  reflectWallMs: number;
  reflectCpuMs: number;
  evaluations: number;
  trainBefore: number;
  trainAfter: number;
  proposed: number;
  validationBefore: number;
  validationAfter: number;
  promoted: boolean;
  reason: string;
}

interface FamilyResult {
  family: string;
  /** Whether any train case has this format. */
  seenInTraining: boolean;
  cases: number;
  dayOne: number;
  final: number;
  /** The largest F1 any one test log of the family lost against day one (0 if none lost). */
  worstLoss: number;
  worstCase: string | null;
}

function args(): { cycles: number } {
  const i = process.argv.indexOf('--cycles');
  const cycles = i >= 0 ? Number(process.argv[i + 1]) : 3;
  if (!Number.isInteger(cycles) || cycles < 1) {
    process.stderr.write(`bench: --cycles must be a positive whole number\n`);
    process.exit(2);
  }
  return { cycles };
}

const f3 = (x: number) => x.toFixed(3);

async function dream(
  cycle: number,
  train: readonly TriageCase[],
  validation: readonly TriageCase[],
  current: PlaybookRule[],
): Promise<{ result: CycleResult; rules: PlaybookRule[] }> {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const search = await searchTriageRules(train, current, {
    idPrefix: `bench-c${cycle}`,
    maxEvaluations: EVALUATIONS,
  });
  const used = process.cpuUsage(cpu);
  const reflectWallMs = Number(process.hrtime.bigint() - wall) / 1e6;
  // As the dreamer offers them: the gate promotes the first alternative that holds on validation.
  const alternatives = searchAlternatives(search).map((a) => a.map((c) => c.rule));
  let candidate: PlaybookRule[] = alternatives[0] ?? [];
  let gate = validateTriageRules(validation, current, candidate, DEFAULT_VALIDATION);
  for (const alt of alternatives.slice(1)) {
    if (gate.promote) break;
    const v = validateTriageRules(validation, current, alt, DEFAULT_VALIDATION);
    if (v.promote) [candidate, gate] = [alt, v];
  }
  return {
    rules: gate.promote ? [...current, ...candidate] : current,
    result: {
      cycle,
      reflectWallMs: Math.round(reflectWallMs),
      reflectCpuMs: Math.round((used.user + used.system) / 1000),
      evaluations: search.evaluations,
      trainBefore: search.baseline,
      trainAfter: search.final,
      proposed: candidate.length,
      validationBefore: gate.before,
      validationAfter: gate.after,
      promoted: gate.promote,
      reason: gate.reason,
    },
  };
}

function perFamily(
  test: readonly TriageCase[],
  trainFamilies: Set<string>,
  dayOne: Map<string, number>,
  final: Map<string, number>,
): FamilyResult[] {
  return LOG_FAMILIES.map((family) => {
    const ids = test.map((c) => reformatCase(c, family).id);
    const mean = (m: Map<string, number>) =>
      ids.reduce((s, id) => s + (m.get(id) ?? 0), 0) / Math.max(1, ids.length);
    let worstLoss = 0;
    let worstCase: string | null = null;
    for (const id of ids) {
      const loss = (dayOne.get(id) ?? 0) - (final.get(id) ?? 0);
      if (loss > worstLoss) [worstLoss, worstCase] = [loss, id];
    }
    return {
      family,
      seenInTraining: trainFamilies.has(family),
      cases: ids.length,
      dayOne: mean(dayOne),
      final: mean(final),
      worstLoss,
      worstCase,
    };
  });
}

export async function reflectBench(): Promise<void> {
  const { cycles } = args();
  const cases = await loadDataset(join(__dirname, '..', 'datasets', 'ci-breakages'));
  const split = splitCases(cases, DEFAULT_SPLIT);
  const { validation, test } = splitValidationTest(split.heldOut, 'reverie/ci-log-triage');
  const train = split.train;
  // The dataset's GitHub Actions logs are its own raw format; no train case has the others.
  const trainFamilies = new Set(
    train.map((c) => (c.format === 'RAW_GITHUB' ? 'github-actions-raw' : 'original')),
  );
  const testCases = LOG_FAMILIES.flatMap((f) => test.map((c) => reformatCase(c, f)));
  process.stdout.write(
    `bench: triage reflect: train ${train.length} case(s), validation ${validation.length}, test ${test.length} x ${LOG_FAMILIES.length} formats (${cpus().length} CPUs)\n`,
  );

  let rules: PlaybookRule[] = [];
  const results: CycleResult[] = [];
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const { result, rules: next } = await dream(cycle, train, validation, rules);
    rules = next;
    results.push(result);
    process.stdout.write(
      `  dream ${cycle}: reflect ${(result.reflectWallMs / 1000).toFixed(2)} s wall, ${(result.reflectCpuMs / 1000).toFixed(2)} s CPU, ${result.evaluations} rule-set evaluations; train macro F1 ${f3(result.trainBefore)} -> ${f3(result.trainAfter)} (${result.proposed} rule(s)); validation ${f3(result.validationBefore)} -> ${f3(result.validationAfter)}: ${result.promoted ? 'promoted' : 'refused'} (${result.reason})\n`,
    );
  }

  const dayOne = scoreRuleSet(testCases, []).perCase;
  const final = scoreRuleSet(testCases, rules).perCase;
  const families = perFamily(test, trainFamilies, dayOne, final);
  const all = [...final.values()];
  const macro = all.reduce((a, b) => a + b, 0) / all.length;
  const macroDayOne = [...dayOne.values()].reduce((a, b) => a + b, 0) / dayOne.size;
  const worst = Math.max(0, ...families.map((f) => f.worstLoss));
  process.stdout.write(
    `\n  TEST split (never read by a dream), per log format; F1 day one -> after ${cycles} dream(s):\n` +
      `  ${'family'.padEnd(22)} seen  cases  day one  final   worst loss\n` +
      families
        .map(
          (f) =>
            `  ${f.family.padEnd(22)} ${f.seenInTraining ? 'yes ' : 'no  '}  ${String(f.cases).padStart(5)}  ${f3(f.dayOne)}    ${f3(f.final)}   ${f3(f.worstLoss)}${f.worstCase ? ` (${f.worstCase})` : ''}`,
        )
        .join('\n') +
      `\n  all ${testCases.length} test logs: macro F1 ${f3(macroDayOne)} -> ${f3(macro)} (target >= 0.85); worst loss ${f3(worst)} (target <= 0.05)\n`,
  );
  process.stdout.write(
    `  per test log: ${[...final].map(([id, f]) => `${id} ${f3(dayOne.get(id) ?? 0)}->${f3(f)}`).join(', ')}\n`,
  );
  const result = {
    benchmark: 'triage-reflect',
    evaluationsPerDream: EVALUATIONS,
    date: new Date().toISOString(),
    machine: { host: hostname(), cpus: cpus().length, node: process.version },
    split: {
      train: train.map((c) => c.id),
      validation: validation.map((c) => c.id),
      test: test.map((c) => c.id),
    },
    cycles: results,
    test: {
      macroF1DayOne: macroDayOne,
      macroF1: macro,
      worstLoss: worst,
      families,
      perLog: Object.fromEntries(
        [...final].map(([id, f]) => [
          id,
          { dayOne: dayOne.get(id), final: f, family: familyOf(id) },
        ]),
      ),
    },
    rules: rules.map((r) => r.title),
  };
  const path = writeResult(result);
  process.stdout.write(`  written to ${path} and triage-reflect-latest.json\n`);
}
