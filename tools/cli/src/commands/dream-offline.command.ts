import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  rateIntervalText,
  renderDreamReport,
  type DreamReport,
  type CriterionScore,
  type SplitScore,
  type TasksScore,
} from '@reverie/dreaming-domain';
import {
  offlineEnvironment,
  OfflineInputError,
  presentPlaybook,
  type OfflineEnvironment,
  runOfflineDream,
  type CurvePoint,
  type OfflineProgress,
} from '@reverie/dreaming-feature';
import {
  playbookVersionSchema,
  renderRules,
  type PlaybookVersion,
} from '@reverie/playbooks-domain';
import { CliError } from '../api.client';
import { secondsLeft } from '../progress';
import type { CommandContext } from './command-context';
import { printable } from './eval-triage.command';
import { learnedFromOf } from './learned-from';
import { readOutcomeFile } from './outcome-file';
import { checkOutputFile, refuseExisting, type RunInput, writeOutputs } from './output-file';
import {
  followerName,
  playbookFromJson,
  readPlaybookJson,
  refuseRoleForAgent,
  refuseDuplicateIds,
  refuseOtherRole,
  refuseUnusable,
  splitPlaybookSpec,
  whoseRole,
} from './playbook-file';

export interface DreamOfflineOptions {
  environment: string;
  /** --cases DIR (triage) or --scenarios FILE (lander). */
  input: string;
  out: string;
  cycles: number;
  /** Playbook files to start from ([role=]FILE, as `eval` takes them). */
  playbooks: string[];
  /** An outcome definition file (the body of PUT /v1/agents/:id/outcome). */
  outcome?: string;
  /** Lander: fresh draws of each family of the file that validation flies (default 60). */
  freshDraws?: number;
  maxSimulations: number;
  /** Replace outputs an earlier run left (refused without it). */
  force: boolean;
}

const AGENT = 'agt_offline';

/**
 * `reverie dream --offline --environment triage|lander --cases DIR|--scenarios FILE --out
 * PLAYBOOK.json [--cycles N]`: the dreamer service's stages, in-process with no stack, on your
 * own cases: each cycle runs every task with the current playbooks, dreams (splits, objective,
 * gate, memory of refusals), and keeps what passed. Writes the playbook in the format `GET
 * /v1/agents/:id/playbook` answers (a team: one file per role, `PLAYBOOK.<role>.json`) and the
 * reports beside it (`.report.json`, `.report.md`); prints the test-split curve.
 */
export async function dreamOfflineCommand(
  ctx: CommandContext,
  o: DreamOfflineOptions,
): Promise<number> {
  checkOut(o.out);
  let result;
  let roles: readonly (string | null)[];
  const start = new Map<string | null, PlaybookVersion | null>();
  // What the run says besides its results (skipped cases, the splits, criteria the sandbox cannot
  // grade): on stderr as it goes, and in the `--json` answer, where stderr stays quiet.
  const notes: string[] = [];
  const note = (line: string) => {
    notes.push(line.replace(/^note: /, ''));
    ctx.log(line);
  };
  try {
    const env = offlineEnvironment(o.environment);
    const tasks = await env.load(o.input, { freshDraws: o.freshDraws });
    roles = tasks.dreamer.roles;
    checkOutputs(o, outputFiles(o.out, roles));
    const starts = o.playbooks.map((spec) => readStart(spec, env, tasks.dreamer.roles));
    starts.forEach(([role, version], i) => {
      if (start.has(role))
        throw new CliError(
          `--playbook ${o.playbooks[i]}: a second playbook for ${role === null ? 'the agent' : `the ${role}`}; give one per ${role === null ? 'agent' : 'role'}`,
          2,
        );
      start.set(role, version);
    });
    for (const n of tasks.notes ?? []) note(`note: ${printable(n)}`);
    const progress = new CycleProgress(ctx, o.cycles);
    ctx.log(
      `${env.environment}: ${tasks.tasks} task(s) from ${o.input}; up to ${o.cycles} dream(s)`,
    );
    result = await runOfflineDream({
      agentId: AGENT,
      tasks,
      cycles: o.cycles,
      start,
      outcome: o.outcome
        ? readOutcomeFile(o.outcome, env.environment, tasks.dreamer.sandboxRecords ?? 'session')
        : null,
      maxSimulations: o.maxSimulations,
      input: o.input,
      onProgress: (cycle, p) => progress.show(cycle, p),
      // How the tasks split, once, as soon as dream 1 has read them: too few tasks leave no
      // validation split to promote on, or a promotion resting on a handful, and copies of
      // training tasks among the held-out ones flatter it.
      onNote: (cycle, n) => {
        if (
          cycle !== 1 ||
          !/^(splits|few held-out tasks|\d+ of \d+ (validation|test) task\(s\) have the same content)\b/.test(
            n,
          )
        )
          return;
        ctx.progress.finish();
        note(n);
      },
      onCycle: (cycle, r) => {
        ctx.progress.finish();
        const unseen = r.objective?.notGradable ?? [];
        if (cycle === 1 && unseen.length)
          note(
            `not gradable in the sandbox, so counted neither way by the dreams (live grading still checks them): ${unseen.join(', ')}`,
          );
        ctx.log(`dream ${cycle}: ${cycleLine(r)}`);
      },
    });
  } catch (err) {
    if (err instanceof OfflineInputError) throw new CliError(err.message, 2);
    throw err;
  }
  // Every role's playbook, promoted or not: a file left from an earlier run must not pass for
  // this one's result. Each says what the dreams that changed its rules learned from and chose on
  // (`learnedFrom`, from the starting file's and this run's), so `eval` can say which of the tasks
  // it scores are not held-out for it.
  const playbookFile = (role: string | null) =>
    presentPlaybook(AGENT, role, result.playbooks.get(role) ?? null);
  const stem = o.out.replace(/\.json$/i, '');
  const files = playbookFiles(o.out, roles);
  writeOutputs(
    [
      ...roles.map((role, i) => ({
        file: files[i],
        text: `${JSON.stringify(playbookFile(role), null, 2)}\n`,
      })),
      { file: `${stem}.report.json`, text: JSON.stringify(result.reports, null, 2) },
      {
        file: `${stem}.report.md`,
        text: result.reports.map(renderDreamReport).join('\n\n---\n\n'),
      },
    ],
    { replace: o.force },
  );
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          playbooks: files,
          curve: result.curve,
          stopped: result.stopped,
          notes,
          reports: result.reports,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  ctx.out(`test-split curve (${result.stopped}):`);
  for (const line of curveLines(result.curve)) ctx.out(`  ${line}`);
  ctx.out(`playbook: ${files.join(', ')}`);
  ctx.out(`reports: ${stem}.report.json, ${stem}.report.md`);
  return 0;
}

/**
 * Where each dream is: on a terminal a line redrawn in place with the stage's counts; elsewhere
 * one line each time a stage starts and, while a stage runs long (hundreds of scenarios run for
 * minutes), its counts and how long the rest will take at this pace every `everyMs`.
 */
export class CycleProgress {
  private stage = '';
  private stageStart = 0;
  private lastLine = 0;

  constructor(
    private readonly ctx: Pick<CommandContext, 'progress' | 'log'>,
    private readonly cycles: number,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 30_000,
  ) {}

  show(cycle: number, p: OfflineProgress): void {
    const label = `dream ${cycle} of ${this.cycles}: ${p.stage === 'sessions' ? 'running the tasks' : p.stage}`;
    if (this.ctx.progress.live)
      this.ctx.progress.update(
        p.completed,
        p.total,
        // 'started' is what every stage says first: the label already says so.
        `${label}${p.message && p.message !== 'started' ? ` · ${p.message}` : ''}`,
      );
    else if (label !== this.stage) {
      this.ctx.log(`${label} ...`);
      this.stageStart = this.lastLine = this.now();
    } else if (p.total > 0 && p.completed > 0 && this.now() - this.lastLine >= this.everyMs) {
      this.lastLine = this.now();
      const left = secondsLeft(this.stageStart, this.lastLine, p.completed, p.total);
      this.ctx.log(`${label}: ${p.completed}/${p.total}; about ${left} s to go`);
    }
    this.stage = label;
  }
}

/** One line per dream: validation gate and test split. */
export function cycleLine(r: DreamReport): string {
  const v = r.validation;
  const gate = !v
    ? 'nothing validated'
    : v.heldOut === 0
      ? `nothing promoted: ${v.reason} (give more tasks: a share of them is held out to validate and test)`
      : `${v.promote ? 'promoted' : 'refused'} on validation (${v.before} -> ${v.after} of ${v.heldOut})`;
  const t = r.test;
  const lost = t?.after ? lostCriteria(t.before, t.after) : [];
  const test = t
    ? `test ${t.before.satisfied}/${t.before.tasks}${t.after ? ` -> ${t.after.satisfied}/${t.after.tasks}` : ''}${lost.length ? ` (lost on test: ${lost.join(', ')})` : ''}`
    : 'no test split';
  return `${gate}; ${test}; ${r.notes.filter((n) => /nothing left|skipped|^out of reach/.test(n)).join('; ')}`.replace(
    /; $/,
    '',
  );
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * The criteria that fewer tasks of a split pass after than before, as `id k/n -> k'/n`: a rate
 * of satisfied tasks that holds can hide a criterion given up for another (a landing that turns
 * hard where another turns frugal).
 */
export function lostCriteria(before: TasksScore, after: TasksScore): string[] {
  const passed = (c: CriterionScore) => Math.round((c.passRate ?? 0) * c.graded);
  return after.criteria.flatMap((c) => {
    const was = before.criteria.find((b) => b.id === c.id);
    if (!was || !was.graded || !c.graded || passed(c) >= passed(was)) return [];
    return [`${c.id} ${passed(was)}/${was.graded} -> ${passed(c)}/${c.graded}`];
  });
}

/** `k/n (rate; 95% CI lo–hi%)`: a split of a few tasks moves a lot with one of them. */
const rateWithInterval = (k: number, n: number, rate: number) =>
  `${k}/${n} (${pct(rate)}; 95% CI ${rateIntervalText(k, n)}%)`;

function medians(s: SplitScore): string {
  return Object.entries(s.medians.satisfied)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `median ${k} ${v}`)
    .join(', ');
}

/** The test split after each dream: overall, then per family (when there are several). */
export function curveLines(curve: readonly CurvePoint[]): string[] {
  const lines: string[] = [];
  let previous: CurvePoint | null = null;
  for (const p of curve) {
    if (!p.test) {
      lines.push(`after ${p.cycle} dream(s): no test tasks`);
      continue;
    }
    const t = p.test;
    const m = medians(t);
    lines.push(
      `after ${p.cycle} dream(s): ${rateWithInterval(t.satisfied, t.tasks, t.satisfiedRate)} satisfied, mean score ${t.meanScore}${m ? `; satisfied: ${m}` : ''} [test split]`,
    );
    const lost = previous?.test ? lostCriteria(previous.test, t) : [];
    if (lost.length) lines.push(`    criteria fewer tasks pass than before: ${lost.join(', ')}`);
    previous = p;
    if (t.families.length > 1)
      for (const f of t.families)
        lines.push(
          `    ${f.family || '-'}: ${rateWithInterval(f.satisfied, f.tasks, f.satisfiedRate)}${medians({ ...t, ...f }) ? `; ${medians({ ...t, ...f })}` : ''}`,
        );
  }
  return lines;
}

/**
 * The file `--out` names, before anything is read: a name, in a folder that exists, and not a
 * folder itself. `checkOutputs` checks every file the run writes once the roles are known.
 */
function checkOut(out: string): void {
  if (existsSync(out) && statSync(out).isDirectory())
    throw new CliError(
      `--out ${out} is a folder; give a file name such as ${join(out, 'playbook.json')}`,
      2,
    );
  checkOutputFile('--out', out, out, [], true);
}

/** The playbook file of each role (`out` itself for an agent with one playbook). */
function playbookFiles(out: string, roles: readonly (string | null)[]): string[] {
  const team = roles.some((r) => r !== null);
  const stem = out.replace(/\.json$/i, '');
  return roles.map((role) => (team ? `${stem}.${role}.json` : out));
}

/** Every file a run writes: the playbooks and the two reports beside them. */
function outputFiles(out: string, roles: readonly (string | null)[]): string[] {
  const stem = out.replace(/\.json$/i, '');
  return [...playbookFiles(out, roles), `${stem}.report.json`, `${stem}.report.md`];
}

/**
 * Refuses, before the dream runs, a file the results could not be written to (a folder, or no
 * write permission), that would overwrite one of the run's own inputs (`--outcome`,
 * `--scenarios`, a `--playbook`, anything in the `--cases` folder, under any name), or that an
 * earlier run left (unless `--force`): a dream of minutes must not end in an error, eat its input
 * or replace a learned playbook with an empty one.
 */
function checkOutputs(o: DreamOfflineOptions, files: readonly string[]): void {
  const inputs: RunInput[] = [
    { path: o.input, label: o.input },
    ...(o.outcome ? [{ path: o.outcome, label: o.outcome }] : []),
    ...o.playbooks.map((p) => ({ path: splitPlaybookSpec(p).file, label: p })),
  ];
  for (const file of files) checkOutputFile('--out', o.out, file, inputs, true);
  refuseExisting('--out', o.out, files, o.force);
}

/**
 * A starting playbook: `[role=]FILE` in the GET /v1/agents/:id/playbook format, refused when
 * it names another role than the one given, or none of its rules is one the environment's agent
 * (or the role) can follow. The version keeps what the dreams that wrote it learned from.
 */
function readStart(
  spec: string,
  env: OfflineEnvironment,
  roles: readonly (string | null)[],
): [string | null, PlaybookVersion | null] {
  const { named, file } = splitPlaybookSpec(spec);
  const json = readPlaybookJson(file);
  // Refused here with what it should be; the version read below keeps it.
  learnedFromOf(file, json);
  refuseOtherRole(file, named, json.role);
  const role = named ?? (typeof json.role === 'string' ? json.role : null);
  // A team's playbook file that names no role: which role it fits, or that none can follow it.
  if (role === null && !roles.includes(null))
    throw whoseRole(
      file,
      playbookFromJson(file, json).rules,
      roles.filter((r): r is string => r !== null),
      (r, rules) => env.skippedRules(r, rules),
    );
  if (!roles.includes(role)) {
    if (roles.includes(null)) refuseRoleForAgent(spec, json.role, env.alias);
    throw new CliError(
      `${file}: the playbook of ${role === null ? 'the agent' : `role "${role}"`}, but this environment's playbooks are ${roles.map((r) => r ?? 'the agent').join(', ')}; give it as --playbook <role>=${file}`,
      2,
    );
  }
  // Version 0 (or no version) with no entries is the empty playbook GET answers before any
  // version exists (a version 0 with entries was refused on reading it).
  if (
    (json.version === 0 || json.version === undefined) &&
    Array.isArray(json.entries) &&
    json.entries.length === 0
  )
    return [role, null];
  const { role: _role, ...rest } = json as Record<string, unknown>;
  const parsed = playbookVersionSchema.safeParse({
    ...rest,
    ...(role ? { role } : {}),
    agentId: AGENT,
    status: 'active',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // `eval` runs a bare {version, entries} written by hand; a dream continues a version's
    // history, so it needs the whole version: say so, not only the first field missing.
    throw new CliError(
      `${file} is not a whole playbook version as GET /v1/agents/:id/playbook answers it (its playbookId, author, createdAt and diff, each entry's guidance and rationale; eval also reads a bare {version, entries}, a dream starts only from a whole version): ${issue.path.join('.')} ${issue.message}`,
      2,
    );
  }
  refuseDuplicateIds(
    file,
    parsed.data.entries.map((e) => e.id),
  );
  const rules = renderRules(parsed.data);
  refuseUnusable(file, followerName(env.alias, role), rules, env.skippedRules(role, rules));
  return [role, parsed.data];
}
