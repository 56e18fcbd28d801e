import {
  CI_LOG_TRIAGE_ENVIRONMENT,
  TriageError,
  evaluateTriageCases,
  loadCases,
  loadNotes,
  runBuiltinTriage,
  toLineRules,
  type TriageCase,
  type TriageEvaluation,
} from '@reverie/ci-log-triage';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import {
  gradeRuns,
  rateIntervalText,
  sandboxUngradableCriteria,
  scoreTasks,
  toolsNeverCalled,
} from '@reverie/dreaming-domain';
import { taskRefs } from '@reverie/dreaming-feature';
import { failedGraded, type OutcomeDefinition } from '@reverie/outcomes-domain';
import { CliError } from '../api.client';
import { fmt } from '../triage-result';
import { seenNote, seenTasks } from './learned-from';
import { readOutcomeFile } from './outcome-file';
import {
  followerName,
  readPlaybookFile,
  refuseRoleForAgent,
  refuseUnusable,
} from './playbook-file';

export interface EvalTriageOptions {
  /** A folder of case folders (`<case>/fail.log`, `pass.log`, `groundtruth`). */
  cases: string;
  /** A playbook file (GET /v1/agents/:id/playbook output); without it, the day-one extractor. */
  playbook?: string;
  /** An outcome definition file to grade every case by as well (PUT /v1/agents/:id/outcome body). */
  outcome?: string;
}

/** What `eval triage` writes: results to `out`, notes to `log` (stderr). */
export interface EvalIo {
  json: boolean;
  out: (line: string) => void;
  log: (line: string) => void;
}

/**
 * `reverie eval triage --cases DIR [--playbook FILE] [--outcome FILE] [--json]`: runs the builtin
 * triager with the playbook's rules on your own labelled cases, offline (no stack), and prints
 * per-case and aggregate precision, recall and F1, and which rules matched where; with an outcome
 * definition, also how many cases satisfy it, per criterion.
 */
export async function evalTriageCommand(io: EvalIo, options: EvalTriageOptions): Promise<number> {
  if (options.playbook) refuseRoleForAgent(options.playbook, null, 'triage');
  const playbook = options.playbook ? readPlaybookFile(options.playbook) : null;
  const definition = options.outcome
    ? readOutcomeFile(options.outcome, CI_LOG_TRIAGE_ENVIRONMENT.name, 'session')
    : null;
  // A role's playbook (a lunar team's) with no rule the triager could refuse would otherwise
  // run as the day-one extractor under its name.
  if (playbook && options.playbook) refuseRoleForAgent(options.playbook, playbook.role, 'triage');
  if (playbook && options.playbook)
    refuseUnusable(
      options.playbook,
      followerName('triage', null),
      playbook.rules,
      toLineRules(playbook.rules).skipped,
    );
  let loaded;
  try {
    loaded = await loadCases(options.cases);
  } catch (err) {
    if (err instanceof TriageError) throw new CliError(err.message, 2);
    throw err;
  }
  const cases = loaded.cases;
  // Null when the playbook does not say what it was learned from: then nothing is known either way.
  const seen = playbook?.learnedFrom.length
    ? seenTasks(playbook.learnedFrom, taskRefs(cases))
    : null;
  const seenLine =
    seen && options.playbook ? seenNote([options.playbook], seen, 'cases', printable) : null;
  // A case folder's name can hold a newline: one note a line, as one row a case below.
  for (const note of loadNotes(loaded)) io.log(`note: ${printable(note)}`);
  if (seenLine) io.log(`note: ${seenLine}`);
  const result = evaluateTriageCases(cases, playbook?.rules ?? []);
  const outcome =
    definition && options.outcome
      ? await gradeCases(definition, options.outcome, cases, playbook?.rules ?? [])
      : null;
  if (io.json) {
    io.out(
      JSON.stringify(
        {
          casesDir: options.cases,
          skippedCases: loaded.skipped,
          notes: [...loaded.notes, ...(seenLine ? [seenLine] : [])],
          playbook: playbook
            ? {
                file: options.playbook,
                version: playbook.version,
                entries: playbook.entries,
                rules: playbook.rules.length,
                // Cases it was learned from (train) or chosen on (validation): not held-out.
                seen,
              }
            : null,
          ...result,
          ...(outcome && { outcome }),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  for (const s of result.skipped) io.log(`note: rule ${s.entryId} skipped: ${s.reason}`);
  io.out(
    formatEvaluation(
      result,
      playbook
        ? `${options.playbook} (version ${playbook.version ?? '?'}, ${playbook.rules.length} rule(s)${result.skipped.length ? `, ${result.skipped.length} of them skipped: the triager cannot follow them (notes on stderr)` : ''})`
        : 'none (day-one extractor)',
      loaded.skipped.length,
    ),
  );
  if (outcome) io.out(formatOutcome(outcome));
  return 0;
}

type CasesOutcome = Awaited<ReturnType<typeof gradeCases>>;

/**
 * Every case graded by the outcome definition, as a dream's sandbox grades a triage run: the
 * builtin triager's session events (with `submit_answer`) and the case's labels.
 */
async function gradeCases(
  definition: OutcomeDefinition,
  file: string,
  cases: readonly TriageCase[],
  rules: readonly PlaybookRule[],
) {
  const lineRules = toLineRules(rules).rules;
  const runs = cases.map((c) => ({
    task: c.id,
    family: '',
    events: runBuiltinTriage(c, lineRules).events,
    labels: c.errorRanges,
  }));
  const grades = await gradeRuns(definition, CI_LOG_TRIAGE_ENVIRONMENT.name, runs);
  const summary = scoreTasks(grades);
  return {
    file,
    description: definition.description,
    notGradable: [...sandboxUngradableCriteria(definition, 'session').keys()],
    toolsNeverCalled: toolsNeverCalled(definition, runs),
    satisfied: summary.satisfied,
    cases: grades.length,
    meanScore: summary.meanScore,
    criteria: summary.criteria.map(({ id, required, passRate }) => ({ id, required, passRate })),
    byCase: grades.map((g) => ({
      caseId: g.task,
      satisfied: g.satisfied,
      score: g.score,
      failed: failedGraded(g.criteria).map((c) => c.id),
    })),
  };
}

function formatOutcome(o: CasesOutcome): string {
  const failing = o.byCase.filter((c) => !c.satisfied);
  return [
    '',
    `outcome: ${o.description} (${o.file})`,
    `satisfied ${o.satisfied}/${o.cases} (${Math.round((100 * o.satisfied) / Math.max(o.cases, 1))} %; 95% CI ${rateIntervalText(o.satisfied, o.cases)} %), mean score ${fmt(o.meanScore)}`,
    ...o.criteria.map(
      (c) =>
        `  ${c.id}${c.required ? ' (required)' : ''}: ${c.passRate === null ? 'not gradable offline' : `passed in ${Math.round(c.passRate * 100)} %`}`,
    ),
    ...(failing.length
      ? [
          `not satisfied: ${failing.map((c) => `${c.caseId} (${c.failed.join(', ') || 'score'})`).join(', ')}`,
        ]
      : []),
    ...o.toolsNeverCalled.map(
      (t) =>
        `note: ${t.id} expects the tool "${t.tool}", which no case called (the triager's tools: ${t.called.join(', ')})`,
    ),
    ...(o.notGradable.length
      ? [
          `not gradable offline (counted neither way; live grading checks them): ${o.notGradable.join(', ')}`,
        ]
      : []),
  ].join('\n');
}

/** A case id for a table row or a note: control characters (a newline in a folder name) escaped. */
export const printable = (id: string) =>
  id.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );

export function formatEvaluation(r: TriageEvaluation, playbook: string, skippedCases = 0): string {
  const ids = r.cases.map((c) => printable(c.caseId));
  const idWidth = Math.max(4, ...ids.map((id) => id.length));
  const rows = r.cases.map(
    (c, i) =>
      `${ids[i].padEnd(idWidth)}  ${c.format.padEnd(11)} ${String(c.lines).padStart(6)} ${String(c.labelled).padStart(8)} ${String(c.answered).padStart(8)}  ${fmt(c.precision)}  ${fmt(c.recall)}  ${fmt(c.f1)}`,
  );
  const a = r.aggregate;
  const rules = r.rules.map(
    (u) =>
      `  ${u.entryId}: matched in ${u.matchedCases} case(s), changed the answer in ${u.changedCases}  (${u.title})`,
  );
  return [
    `playbook: ${playbook}`,
    `${'case'.padEnd(idWidth)}  format       lines labelled answered  prec.  recall  F1`,
    ...rows,
    '',
    `${r.cases.length} case(s)${skippedCases ? ` (${skippedCases} more folder(s) skipped as no usable case: the notes on stderr say why)` : ''}: macro precision ${fmt(a.macro.precision)}, recall ${fmt(a.macro.recall)}, F1 ${fmt(a.macro.f1)}; micro precision ${fmt(a.micro.precision)}, recall ${fmt(a.micro.recall)}, F1 ${fmt(a.micro.f1)} (tp ${a.micro.tp}, fp ${a.micro.fp}, fn ${a.micro.fn})`,
    ...(rules.length ? ['rules:', ...rules] : []),
  ].join('\n');
}
