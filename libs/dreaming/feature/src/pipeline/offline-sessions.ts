import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  CI_LOG_TRIAGE_ENVIRONMENT,
  loadCases,
  loadNotes,
  notAFileKind,
  runBuiltinTriage,
  toLineRules,
  type LoadedCases,
  type TriageCase,
} from '@reverie/ci-log-triage';
import type { SessionEventBody } from '@reverie/contracts';
import {
  BuiltinLunarTeam,
  compileRoleRules,
  flyLanding,
  LanderError,
  LUNAR_LANDER_ENVIRONMENT,
  ROLE_RULE_SPACES,
  scenarioInputFromJson,
  type ScenarioFile,
} from '@reverie/lunar-lander';
import type { OutcomeRecord } from '@reverie/outcomes-data-access';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import { gradeSession, type OutcomeDefinition } from '@reverie/outcomes-domain';
import type { SessionView } from '@reverie/sessions-data-access/readers';
import type {
  CollectedSession,
  EnvironmentDreamer,
  RulesByRole,
} from '../environments/environment-dreamer';
import { DEFAULT_LANDER_DREAM, LanderDreamer, toRoleRules } from '../environments/lander.dreamer';
import { TriageDreamer } from '../environments/triage.dreamer';

/** Bad input to an offline dream (a missing file, an unreadable case): one line, no stack. */
export class OfflineInputError extends Error {
  override readonly name = 'OfflineInputError';
}

/** One session's run as the environment's agent records it, before grading. */
interface Ran {
  task: Record<string, unknown>;
  events: SessionEventBody[];
  labels?: Parameters<typeof gradeSession>[0]['labels'];
}

/**
 * An environment offline: its tasks loaded from the user's files, its dreamer, and a "day" of
 * sessions (every task run by the environment's builtin agent with the given rules, graded by
 * the objective). One plug-in per environment, listed in OFFLINE_ENVIRONMENTS.
 */
export interface OfflineEnvironment {
  readonly environment: string;
  /** A short name the CLI also takes (`triage`, `lander`). */
  readonly alias: string;
  /** The CLI flag that names its input, and what it names. */
  readonly flag: 'cases' | 'scenarios';
  readonly input: string;
  load(path: string, options?: OfflineLoadOptions): Promise<OfflineTasks>;
  /** The rules of `role`'s playbook its agent cannot follow, each with the reason. */
  skippedRules(
    role: string | null,
    rules: readonly PlaybookRule[],
  ): readonly { entryId: string; reason: string }[];
}

/** How an environment's dreamer is set up besides its input. */
export interface OfflineLoadOptions {
  /** Lander: fresh draws of each family of the file that validation flies (`FRESH_DRAWS`). */
  freshDraws?: number;
}

export interface OfflineTasks {
  dreamer: EnvironmentDreamer;
  /** What loading noticed, a line each (case folders skipped, with the reason). */
  notes?: string[];
  /** Tasks loaded (every split). */
  tasks: number;
  /** Runs every task with `rules` (not graded yet), telling `progress` as each one ends. */
  run(rules: RulesByRole, progress?: (done: number, total: number) => void): Promise<Ran[]>;
}

const triage: OfflineEnvironment = {
  environment: CI_LOG_TRIAGE_ENVIRONMENT.name,
  alias: 'triage',
  flag: 'cases',
  input: '<folder> of labelled cases in the ci-breakages layout',
  skippedRules: (_role, rules) => toLineRules(rules).skipped,
  async load(path) {
    const dir = resolve(path);
    let loaded: LoadedCases;
    try {
      loaded = await loadCases(dir, { use: 'dream' });
    } catch (err) {
      throw new OfflineInputError(`cannot read the cases in ${dir}: ${(err as Error).message}`);
    }
    const cases: TriageCase[] = loaded.cases;
    return {
      dreamer: new TriageDreamer(dirname(dir), dir, cases),
      notes: loadNotes(loaded),
      tasks: cases.length,
      run: async (rules, progress) => {
        const adapted = toLineRules(rules.get(null) ?? []).rules;
        return cases.map((c, i) => {
          const ran = {
            task: { caseId: c.id },
            labels: c.errorRanges,
            events: runBuiltinTriage(c, adapted).events,
          };
          progress?.(i + 1, cases.length);
          return ran;
        });
      },
    };
  },
};

const lander: OfflineEnvironment = {
  environment: LUNAR_LANDER_ENVIRONMENT.name,
  alias: 'lander',
  flag: 'scenarios',
  input: '<file.json>: a scenario, a family, or a list of them',
  skippedRules: (role, rules) =>
    role && ROLE_RULE_SPACES[role]
      ? compileRoleRules(ROLE_RULE_SPACES[role], rules).skipped
      : rules.map((r) => ({ entryId: r.entryId, reason: 'the lunar team has no such role' })),
  async load(path, options) {
    const { scenarios, families } = await readScenarioInput(resolve(path));
    return {
      // A family file's generators: validation also flies fresh draws of them.
      dreamer: new LanderDreamer({
        ...DEFAULT_LANDER_DREAM,
        families,
        ...(options?.freshDraws !== undefined && { freshDraws: options.freshDraws }),
      }),
      tasks: scenarios.length,
      run: async (rules, progress) => {
        const out: Ran[] = [];
        for (const scenario of scenarios) {
          const events: SessionEventBody[] = [];
          await flyLanding(scenario, new BuiltinLunarTeam(toRoleRules(rules)), {
            onEvents: (e) => void events.push(...e),
          });
          out.push({ task: { scenario }, events });
          progress?.(out.length, scenarios.length);
        }
        return out;
      },
    };
  },
};

/** The most bytes a JSON input (scenarios, a playbook, an outcome definition) may have. */
export const MAX_INPUT_BYTES = 256 * 2 ** 20;

/** Where a pipe may be read from: the process's own standard input (`< file`, `cmd |`). */
const STDIN_PATHS = new Set(['/dev/stdin', '/proc/self/fd/0', '/dev/fd/0']);

/**
 * The bytes of a JSON input the user named, at most `MAX_INPUT_BYTES`: a regular file, or the
 * process's standard input (`/dev/stdin`, a pipe or a redirect). A device (`/dev/zero` would be
 * read until memory ran out), a named pipe (which waits for a writer) or a folder is refused
 * before anything is read. Throws an `Error` whose message says why, for the caller to wrap.
 */
export function readInputFile(file: string): Buffer {
  const info = statSync(file);
  const stdin = STDIN_PATHS.has(file);
  if (!info.isFile() && !stdin)
    throw new Error(
      `it is ${notAFileKind(info)}, not a file${info.isDirectory() ? '' : ' (to read from a pipe, give /dev/stdin and pipe into the command)'}`,
    );
  if (info.isFile() && info.size > MAX_INPUT_BYTES) throw tooLarge();
  // Standard input read from its descriptor: opened by path, a socket (as Node's own child
  // processes get) cannot be.
  const fd = stdin ? 0 : openSync(file, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(1 << 20);
      const n = readNow(fd, chunk);
      if (n === 0) return Buffer.concat(chunks, total);
      total += n;
      if (total > MAX_INPUT_BYTES) throw tooLarge();
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    if (!stdin) closeSync(fd);
  }
}

/** `readSync`, waiting out a standard input left non-blocking (EAGAIN) until data comes. */
function readNow(fd: number, chunk: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

function tooLarge(): Error {
  return new Error(
    `it is larger than ${MAX_INPUT_BYTES / 2 ** 20} MB, more than any scenario, playbook or outcome file needs`,
  );
}

/**
 * A user's JSON file's bytes, parsed; every offline input (scenarios, playbooks, outcome
 * definitions) is read through this. A byte-order mark (some editors on Windows write one) is
 * no JSON, nor worth refusing for; UTF-16 (PowerShell's `>` writes it) read as UTF-8 would fail
 * with a garbled message, so its NUL bytes are named instead. Throws `OfflineInputError`.
 */
export function parseJsonBytes(bytes: Buffer, file: string): unknown {
  if (bytes.includes(0))
    throw new OfflineInputError(
      `${file} holds NUL bytes, so it is no UTF-8 JSON (UTF-16 text, as PowerShell's ">" writes, or a binary file?); save it as UTF-8`,
    );
  try {
    return JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new OfflineInputError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * Scenarios from a file (one scenario, one family expanded, or a list of either), with the
 * families the file holds.
 */
export async function readScenarioInput(file: string): Promise<ScenarioFile> {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file);
  } catch (err) {
    throw new OfflineInputError(`cannot read scenarios from ${file}: ${(err as Error).message}`);
  }
  const json = parseJsonBytes(bytes, file);
  try {
    return scenarioInputFromJson(json);
  } catch (err) {
    if (err instanceof LanderError) throw new OfflineInputError(`${file}: ${err.message}`);
    throw err;
  }
}

/** The environments an offline dream can run: one line each. */
export const OFFLINE_ENVIRONMENTS: readonly OfflineEnvironment[] = [lander, triage];

export function offlineEnvironment(name: string): OfflineEnvironment {
  const found = OFFLINE_ENVIRONMENTS.find((e) => e.environment === name || e.alias === name);
  if (!found)
    throw new OfflineInputError(
      `unknown environment "${name}"; offline dreams run: ${OFFLINE_ENVIRONMENTS.map((e) => `${e.alias} (${e.environment})`).join(', ')}`,
    );
  return found;
}

/** Grades a day's runs with the objective, as the grader would, into reviewable sessions. */
export async function gradeDay(
  environment: string,
  agentId: string,
  day: number,
  runs: readonly Ran[],
  definition: OutcomeDefinition,
): Promise<CollectedSession[]> {
  const out: CollectedSession[] = [];
  for (const [i, r] of runs.entries()) {
    const sessionId = `ses_offline_d${day}_${i}`;
    const grade = await gradeSession({
      definition,
      definitionVersion: 0,
      events: r.events,
      session: { status: 'completed', environment },
      iteration: definition.maxIterations,
      labels: r.labels ?? null,
      judge: null,
    });
    const session: SessionView = {
      _id: sessionId,
      agentId,
      status: 'completed',
      source: 'managed',
      run: { environment, task: r.task },
      iteration: 1,
      endedAt: new Date(0),
      lastSeq: r.events.length,
    } as SessionView;
    const outcome = {
      _id: `out_${sessionId}`,
      tenantId: 'offline',
      agentId,
      sessionId,
      iteration: grade.iteration,
      definitionVersion: 0,
      maxIterations: definition.maxIterations,
      result: grade.result,
      score: grade.score,
      criteria: grade.criteria,
      failedCriteria: grade.failedCriteria,
      summary: grade.summary,
      judgeUsage: grade.judgeUsage,
      signals: grade.signals,
      regrade: false,
      gradedAt: new Date(0),
    } as unknown as OutcomeRecord;
    out.push({ session, outcome, events: r.events });
  }
  return out;
}
