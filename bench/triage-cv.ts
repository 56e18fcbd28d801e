/**
 * Development check for the triage dream that never reads the test split: k-fold cross-validation
 * over the train and validation cases only. Each fold holds out a quarter of them; the rest is
 * split again into a search part and a gate part (as a dream does: learn on train, gate on
 * validation), three dreams run, and the held-out fold is scored in every log-format family.
 * Use it to compare changes of the rule space or the search; report test numbers with
 * `bench:triage -- --reflect`, which reads the test split once, at the end.
 *
 * `node -r @swc-node/register bench/triage-cv.ts [--folds 4] [--cycles 3] [--evaluations 3000]`
 */
import { join } from 'node:path';
import {
  DEFAULT_SPLIT,
  LOG_FAMILIES,
  loadDataset,
  reformatCase,
  splitCases,
  hashUnit,
  type TriageCase,
} from '@reverie/ci-log-triage';
import {
  DEFAULT_VALIDATION,
  scoreRuleSet,
  searchAlternatives,
  searchTriageRules,
  validateTriageRules,
} from '@reverie/dreaming-triage';
import { splitValidationTest } from '@reverie/dreaming-domain';
import type { PlaybookRule } from '@reverie/playbooks-domain';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const f3 = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  const folds = arg('--folds', 4);
  const cycles = arg('--cycles', 3);
  // What `reverie dream --offline` and `bench:triage -- --reflect` give a dream by default.
  const evaluations = arg(
    '--evaluations',
    Number(process.env['REVERIE_TRIAGE_EVALUATIONS'] ?? 3000),
  );
  const cases = await loadDataset(join(__dirname, '..', 'datasets', 'ci-breakages'));
  const split = splitCases(cases, DEFAULT_SPLIT);
  const { validation } = splitValidationTest(split.heldOut, 'reverie/ci-log-triage');
  // Train and validation only: the test split stays unread.
  const dev = [...split.train, ...validation].sort(
    (a, b) => hashUnit(`cv:${a.id}`) - hashUnit(`cv:${b.id}`),
  );
  const dayOne = new Map<string, number>();
  const final = new Map<string, number>();
  let reflectMs = 0;
  for (let k = 0; k < folds; k++) {
    const held = dev.filter((_, i) => i % folds === k);
    const rest = dev.filter((_, i) => i % folds !== k);
    const gate = rest.filter((_, i) => i % 4 === 0);
    const learn = rest.filter((_, i) => i % 4 !== 0);
    let rules: PlaybookRule[] = [];
    const log: string[] = [];
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const t = Date.now();
      const search = await searchTriageRules(learn, rules, {
        idPrefix: `cv${k}-c${cycle}`,
        maxEvaluations: evaluations,
      });
      reflectMs += Date.now() - t;
      // As the dreamer offers them: the greedy combination, then the best single rules.
      const alternatives = searchAlternatives(search).map((a) => a.map((c) => c.rule));
      let verdict = 'nothing proposed';
      for (const [i, candidate] of alternatives.entries()) {
        const v = validateTriageRules(gate, rules, candidate, DEFAULT_VALIDATION);
        verdict = v.promote ? `alt ${i + 1} promoted` : `refused (${v.reason})`;
        if (v.promote) {
          rules = [...rules, ...candidate];
          break;
        }
      }
      log.push(`c${cycle} train ${f3(search.baseline)}->${f3(search.final)} ${verdict}`);
    }
    const heldAll: TriageCase[] = LOG_FAMILIES.flatMap((f) => held.map((c) => reformatCase(c, f)));
    const before = scoreRuleSet(heldAll, []).perCase;
    const after = scoreRuleSet(heldAll, rules).perCase;
    for (const [id, v] of before) dayOne.set(id, v);
    for (const [id, v] of after) final.set(id, v);
    process.stdout.write(
      `fold ${k}: ${held.map((c) => `${c.id} ${f3(before.get(c.id) ?? 0)}->${f3(after.get(c.id) ?? 0)}`).join(', ')}; ${log.join('; ')}\n`,
    );
    if (process.argv.includes('--rules'))
      for (const r of rules) process.stdout.write(`    ${r.title}\n`);
  }
  const mean = (m: Map<string, number>, only?: (id: string) => boolean) => {
    const v = [...m].filter(([id]) => !only || only(id)).map(([, x]) => x);
    return v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  };
  const orig = (id: string) => !id.includes('@');
  let worst = 0;
  let worstId = '';
  for (const [id, b] of dayOne) {
    const loss = b - (final.get(id) ?? 0);
    if (loss > worst) [worst, worstId] = [loss, id];
  }
  process.stdout.write(
    `CV (${dev.length} train+validation cases, ${folds} folds, ${cycles} dreams): original logs ${f3(mean(dayOne, orig))} -> ${f3(mean(final, orig))}; all formats ${f3(mean(dayOne))} -> ${f3(mean(final))}; worst loss ${f3(worst)} ${worstId}; reflect ${(reflectMs / 1000).toFixed(1)} s total\n`,
  );
}

void main();
