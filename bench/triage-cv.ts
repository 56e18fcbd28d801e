/**
 * Development check for the triage dream that never reads the test split: k-fold cross-validation
 * over the train and validation cases only. Each fold holds out a quarter of them; the rest is
 * split again into a search part and a gate part (as a dream does: learn on train, gate on
 * validation), three dreams run, and the held-out fold is scored in every log-format family.
 * Use it to compare changes of the rule space or the search; report test numbers with
 * `bench:triage -- --reflect`, which reads the test split once, at the end.
 *
 * `--group project|kind` holds out whole groups instead (leave one group out, one fold each): all
 * the logs of one project (the case id before its last `_`), or of one kind of failure (`logKind`:
 * the tool and the step that failed, read from the fail log). Random folds put logs of the kind
 * being scored in the training part too; a held-out kind is what a log the dreamer never saw the
 * like of looks like, so `--group kind` is the estimate to trust for unseen kinds of logs.
 *
 * `--cases DIR` cross-validates on every case of another folder in the same layout (a user's own
 * logs, `datasets/ci-other-tools`): it has no test split of the bundled dataset to keep unread.
 *
 * `node -r @swc-node/register bench/triage-cv.ts [--folds 4 | --group project|kind] [--cycles 3] [--evaluations 3000] [--cases DIR] [--rules]`
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_SPLIT,
  familyOf,
  LOG_FAMILIES,
  loadDataset,
  reformatCase,
  splitCases,
  hashUnit,
  caseProject,
  logKind,
  type TriageCase,
} from '@reverie/ci-log-triage';
import {
  DEFAULT_VALIDATION,
  RuleSetScorer,
  scoreRuleSet,
  searchAlternatives,
  searchTriageRules,
  validateTriageRules,
  type SearchOptions,
  type ValidationOptions,
} from '@reverie/dreaming-triage';
import { splitValidationTest } from '@reverie/dreaming-domain';
import type { PlaybookRule } from '@reverie/playbooks-domain';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const f3 = (x: number) => x.toFixed(3);

async function main(): Promise<void> {
  const gi = process.argv.indexOf('--group');
  const group = gi >= 0 ? process.argv[gi + 1] : undefined;
  if (group !== undefined && group !== 'project' && group !== 'kind') {
    process.stderr.write('triage-cv: --group is project or kind\n');
    process.exit(2);
  }
  const cycles = arg('--cycles', 3);
  // What `reverie dream --offline` and `bench:triage -- --reflect` give a dream by default.
  const evaluations = arg(
    '--evaluations',
    Number(process.env['REVERIE_TRIAGE_EVALUATIONS'] ?? 3000),
  );
  // `--search '{"keepRuns":false}'`: search options to compare against the defaults.
  const si = process.argv.indexOf('--search');
  const searchOptions = (si >= 0 ? JSON.parse(process.argv[si + 1]) : {}) as Partial<SearchOptions>;
  // `--gate '{"trade":{"ratio":5,"maxCaseLoss":0.2}}'`: validation options to compare against the defaults.
  const gi2 = process.argv.indexOf('--gate');
  const gateOptions = {
    ...DEFAULT_VALIDATION,
    ...(gi2 >= 0 ? (JSON.parse(process.argv[gi2 + 1]) as Partial<ValidationOptions>) : {}),
  };
  const ci = process.argv.indexOf('--cases');
  const own = ci >= 0 ? process.argv[ci + 1] : undefined;
  const cases = await loadDataset(own ?? join(__dirname, '..', 'datasets', 'ci-breakages'));
  const split = splitCases(cases, DEFAULT_SPLIT);
  const { validation } = splitValidationTest(split.heldOut, 'reverie/ci-log-triage');
  // Train and validation only: the bundled test split stays unread. Another folder: every case.
  const dev = (own ? [...cases] : [...split.train, ...validation]).sort(
    (a, b) => hashUnit(`cv:${a.id}`) - hashUnit(`cv:${b.id}`),
  );
  const groupOf = (c: TriageCase) =>
    group === 'project' ? caseProject(c.id) : group === 'kind' ? logKind(c.failLines) : '';
  const groups = group
    ? [...new Set(dev.map(groupOf))].sort((a, b) => hashUnit(`cv:${a}`) - hashUnit(`cv:${b}`))
    : [];
  // With --group, --folds N holds out every N-th group together (a third of the kinds with 3):
  // fewer kinds to learn from, as a dreamer with a small, one-tool dataset has.
  const folds = group ? Math.min(groups.length, arg('--folds', groups.length)) : arg('--folds', 4);
  const foldOf = (c: TriageCase, i: number) =>
    group ? groups.indexOf(groupOf(c)) % folds : i % folds;
  const inFold = (c: TriageCase, i: number, k: number) => foldOf(c, i) === k;
  const foldName = (k: number) =>
    group ? ` (${group} ${groups.filter((_, j) => j % folds === k).join(', ')})` : '';
  const dayOne = new Map<string, number>();
  const final = new Map<string, number>();
  let reflectMs = 0;
  for (let k = 0; k < folds; k++) {
    const held = dev.filter((c, i) => inFold(c, i, k));
    const rest = dev.filter((c, i) => !inFold(c, i, k));
    const gate = rest.filter((_, i) => i % 4 === 0);
    const learn = rest.filter((_, i) => i % 4 !== 0);
    let rules: PlaybookRule[] = [];
    const log: string[] = [];
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const t = Date.now();
      const search = await searchTriageRules(learn, rules, {
        ...searchOptions,
        idPrefix: `cv${k}-c${cycle}`,
        maxEvaluations: evaluations,
      });
      reflectMs += Date.now() - t;
      // As the dreamer offers them: the greedy combination, then the best single rules.
      const alternatives = searchAlternatives(search).map((a) => a.map((c) => c.rule));
      let verdict = 'nothing proposed';
      for (const [i, candidate] of alternatives.entries()) {
        const v = validateTriageRules(gate, rules, candidate, gateOptions);
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
      `fold ${k}${foldName(k)}: ${held.map((c) => `${c.id} ${f3(before.get(c.id) ?? 0)}->${f3(after.get(c.id) ?? 0)}`).join(', ')}; ${log.join('; ')}\n`,
    );
    if (process.argv.includes('--rules'))
      for (const r of rules) process.stdout.write(`    ${r.title}\n`);
    if (process.argv.includes('--show')) showMistakes(held, rules);
  }
  const mean = (m: Map<string, number>, only?: (id: string) => boolean) => {
    const v = [...m].filter(([id]) => !only || only(id)).map(([, x]) => x);
    return v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);
  };
  const orig = (id: string) => !id.includes('@');
  const byFamily = LOG_FAMILIES.map(
    (f) => `${f} ${f3(mean(final, (id) => familyOf(id) === f))}`,
  ).join(', ');
  let worst = 0;
  let worstId = '';
  for (const [id, b] of dayOne) {
    const loss = b - (final.get(id) ?? 0);
    if (loss > worst) [worst, worstId] = [loss, id];
  }
  // `--out file.json`: every held-out log's F1 (all formats), day one and after, to compare runs.
  const oi = process.argv.indexOf('--out');
  if (oi >= 0)
    writeFileSync(
      process.argv[oi + 1],
      JSON.stringify(
        Object.fromEntries([...dayOne].map(([id, b]) => [id, { dayOne: b, final: final.get(id) }])),
        null,
        1,
      ),
    );
  // With groups, each group weighs the same (a kind of four logs counts once): the estimate for a
  // log of a kind drawn at random, and the group the rules do worst on.
  if (group) {
    const byGroup = groups.map((g) => {
      const ids = new Set(dev.filter((c) => groupOf(c) === g).map((c) => c.id));
      const of = (id: string) => ids.has(id.split('@')[0]);
      return {
        g,
        before: mean(dayOne, (id) => of(id) && orig(id)),
        after: mean(final, (id) => of(id) && orig(id)),
        all: mean(final, of),
      };
    });
    const avg = (f: (x: (typeof byGroup)[number]) => number) =>
      byGroup.reduce((a, x) => a + f(x), 0) / byGroup.length;
    const low = [...byGroup].sort((a, b) => a.after - b.after)[0];
    process.stdout.write(
      `per ${group} (each ${group} weighs the same): original logs ${f3(avg((x) => x.before))} -> ${f3(avg((x) => x.after))}; all formats -> ${f3(avg((x) => x.all))}; lowest ${low.g} ${f3(low.before)} -> ${f3(low.after)}\n`,
    );
  }
  process.stdout.write(
    `CV (${dev.length} train+validation cases, ${group ? `leave one ${group} out, ` : ''}${folds} folds, ${cycles} dreams): original logs ${f3(mean(dayOne, orig))} -> ${f3(mean(final, orig))}; all formats ${f3(mean(dayOne))} -> ${f3(mean(final))}; worst loss ${f3(worst)} ${worstId}; by format ${byFamily}; reflect ${(reflectMs / 1000).toFixed(1)} s total\n`,
  );
}

/** `--show`: what the final rules miss and wrongly keep on each held-out log (dataset format). */
function showMistakes(held: readonly TriageCase[], rules: readonly PlaybookRule[]): void {
  const scorer = new RuleSetScorer(held);
  const selections = scorer.selections(rules);
  const cut = (t: string) => (t.length > 110 ? `${t.slice(0, 110)}...` : t);
  scorer.cases.forEach((c, i) => {
    const sel = selections[i];
    const missed = c.features.filter(
      (f) => c.labelled[f.lineNumber] === 1 && !sel.has(f.lineNumber),
    );
    const wrong = c.features.filter((f) => c.labelled[f.lineNumber] !== 1 && sel.has(f.lineNumber));
    process.stdout.write(
      `    ${c.id}: ${c.labelCount} labelled, ${sel.size} selected, ${missed.length} missed, ${wrong.length} wrongly kept\n`,
    );
    for (const [what, lines] of [
      ['missed', missed],
      ['kept', wrong],
    ] as const)
      for (const f of lines.slice(0, 12))
        process.stdout.write(`      ${what} ${f.lineNumber}: ${cut(JSON.stringify(f.text))}\n`);
  });
}

void main();
