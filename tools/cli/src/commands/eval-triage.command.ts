import {
  TriageError,
  evaluateTriageCases,
  loadDataset,
  toLineRules,
  type TriageEvaluation,
} from '@reverie/ci-log-triage';
import { CliError } from '../api.client';
import { fmt } from '../triage-result';
import { followerName, readPlaybookFile, refuseUnusable } from './playbook-file';

export interface EvalTriageOptions {
  /** A folder of case folders (`<case>/fail.log`, `pass.log`, `groundtruth`). */
  cases: string;
  /** A playbook file (GET /v1/agents/:id/playbook output); without it, the day-one extractor. */
  playbook?: string;
}

/** What `eval triage` writes: results to `out`, notes to `log` (stderr). */
export interface EvalIo {
  json: boolean;
  out: (line: string) => void;
  log: (line: string) => void;
}

/**
 * `reverie eval triage --cases DIR [--playbook FILE] [--json]`: runs the builtin triager with the
 * playbook's rules on your own labelled cases, offline (no stack), and prints per-case and
 * aggregate precision, recall and F1, and which rules matched where.
 */
export async function evalTriageCommand(io: EvalIo, options: EvalTriageOptions): Promise<number> {
  const playbook = options.playbook ? readPlaybookFile(options.playbook) : null;
  if (playbook && options.playbook)
    refuseUnusable(
      options.playbook,
      followerName('triage', null),
      playbook.rules,
      toLineRules(playbook.rules).skipped,
    );
  let cases;
  try {
    cases = await loadDataset(options.cases);
  } catch (err) {
    if (err instanceof TriageError) throw new CliError(err.message, 2);
    throw err;
  }
  const result = evaluateTriageCases(cases, playbook?.rules ?? []);
  if (io.json) {
    io.out(
      JSON.stringify(
        {
          casesDir: options.cases,
          playbook: playbook
            ? {
                file: options.playbook,
                version: playbook.version,
                entries: playbook.entries,
                rules: playbook.rules.length,
              }
            : null,
          ...result,
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
        ? `${options.playbook} (version ${playbook.version ?? '?'}, ${playbook.rules.length} rule(s))`
        : 'none (day-one extractor)',
    ),
  );
  return 0;
}

export function formatEvaluation(r: TriageEvaluation, playbook: string): string {
  const idWidth = Math.max(4, ...r.cases.map((c) => c.caseId.length));
  const rows = r.cases.map(
    (c) =>
      `${c.caseId.padEnd(idWidth)}  ${c.format.padEnd(11)} ${String(c.lines).padStart(6)} ${String(c.labelled).padStart(8)} ${String(c.answered).padStart(8)}  ${fmt(c.precision)}  ${fmt(c.recall)}  ${fmt(c.f1)}`,
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
    `${r.cases.length} case(s): macro precision ${fmt(a.macro.precision)}, recall ${fmt(a.macro.recall)}, F1 ${fmt(a.macro.f1)}; micro F1 ${fmt(a.micro.f1)} (tp ${a.micro.tp}, fp ${a.micro.fp}, fn ${a.micro.fn})`,
    ...(rules.length ? ['rules:', ...rules] : []),
  ].join('\n');
}
