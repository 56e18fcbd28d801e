/**
 * The `reverie` command: run managed sessions and batches against a running gateway and follow
 * them. `npx reverie --help` lists the commands.
 */
import { parseArgs } from 'node:util';
import { ReverieConnectionError, ReverieError } from '@reverie/client';
import { CliError, cliClient } from './api.client';
import { agentCreateCommand } from './commands/agent.command';
import { apiKeysCommand, apiKeysOptions } from './commands/api-keys.command';
import { batchCommand } from './commands/batch.command';
import { dlqCommand, dlqOptions } from './commands/dlq.command';
import { dreamCancelCommand, dreamCommand } from './commands/dream.command';
import { batchCancelCommand } from './commands/batch-cancel.command';
import { dreamOfflineCommand } from './commands/dream-offline.command';
import { offlineEnvironment } from '@reverie/dreaming-feature';
import { evalLanderCommand } from './commands/eval-lander.command';
import { evalTriageCommand } from './commands/eval-triage.command';
import type { CommandContext } from './commands/command-context';
import type { Split } from './commands/dataset';
import { landBatchCommand } from './commands/land-batch.command';
import { landCommand } from './commands/land.command';
import { playbookCommand } from './commands/playbook.command';
import { checkOutputFile } from './commands/output-file';
import { readJsonFile } from './commands/json-file';
import { splitPlaybookSpec } from './commands/playbook-file';
import { runCommand } from './commands/run.command';
import { cliDefaults, kafkaConnectionOf } from './config/cli.config';
import { commandWord, negativeValuesJoined, OPTIONS } from './argv';
import { Progress } from './progress';
import { writeStderr } from './heap-worker';

export const USAGE = `usage: reverie <command> [options]

commands:
  agent create --name <name> [--provider builtin|anthropic] [--model <model>]
  run   --agent <agent id> --case <case id>             one ci-log-triage session, followed to its end
  batch --agent <agent id> [--split all|train|held-out] [--repeat <n>] [--dataset <folder>]
                                                        one session per dataset case, with a progress bar
  land  --agent <agent id> --family <family> [--index <n>] | --scenario <file.json>
        [--svg <file.svg>] [--no-plot]                  one lunar landing: touchdown report and plot
  land  --offline --family <family> [--index <n>] | --scenario <file.json>
        [--playbook [role=]<file.json> ...] [--svg <file.svg>] [--no-plot]
                                                        offline: the same landing by the builtin lunar
                                                        team with role playbooks, in-process (no stack)
  batch cancel <batch id>                               end the batch's sessions still running (their runs
                                                        stop; those not started never run)
  batch --agent <agent id> --family <family> [--repeat <n>]
                                                        one landing per scenario of a family
  dream --agent <agent id> [--sessions <id,id,...>] [--markdown]
                                                        a dream over the sessions since the last one
                                                        (or these), followed stage by stage; its report
  dream cancel <dream id>                               stop a dream (one already publishing ends as it
                                                        would), followed to its end
  dream --offline --environment triage|lander --cases <folder> | --scenarios <file.json>
        --out <playbook.json> [--force] [--cycles <n>] [--playbook [role=]<file.json> ...]
        [--outcome <file.json>] [--fresh-draws <n>]
                                                        offline: the same dream stages in-process (no stack)
                                                        on your own cases; writes the playbook (GET
                                                        /v1/agents/:id/playbook format) and the reports,
                                                        prints the test-split curve
  eval triage --cases <folder> [--playbook <file.json>] [--outcome <file.json>]
                                                        offline: the builtin triager with a playbook
                                                        (GET /v1/agents/:id/playbook output) on your own
                                                        labelled cases; per-case and macro/micro F1
                                                        (and how many satisfy your outcome definition)
  eval lander --scenarios <file.json> [--playbook [role=]<file.json> ...] [--outcome <file.json>]
                                                        offline: the builtin lunar team with role playbooks
                                                        on your own scenarios (a family file, a scenario or
                                                        an array); rubric (or your outcome definition),
                                                        distance and fuel per scenario and per family
  playbook --agent <agent id> [--role <role>] --out <file.json> [--force]
                                                        the active playbook (of the agent, or one role of
                                                        its team) as GET /v1/agents/:id/playbook answers it,
                                                        for eval and dream --offline; what it learned from
  api-keys create --name <label> [--scope admin]       a key of your tenant, shown once (needs an admin key)
  api-keys list | revoke <key id>                       the tenant's active keys; revoke one at once
  dlq list [--topic <topic>]                            dead letters (reason, origin, offset, time), from Kafka
  dlq replay --topic <topic> [--offset <partition:offset>]
                                                        send them (or one) back to their topic once fixed

options:
  --url <gateway url>      default $REVERIE_URL or http://localhost:3000
  --key <api key>          default $REVERIE_API_KEY
  --brokers <host:port,..> Kafka, for dlq (default $KAFKA_BROKERS or 127.0.0.1:9092; TLS and SASL
                           from $KAFKA_SSL, $KAFKA_SSL_CA_FILE, $KAFKA_SASL_MECHANISM,
                           $KAFKA_SASL_USERNAME, $KAFKA_SASL_PASSWORD, as the services)
  --provider, --model      model settings for the run (default: the agent's)
  --timeout <seconds>      how long to follow before giving up (default 600)
  --json                   machine-readable output on stdout (a failure too: {"error": {...}})
  -h, --help`;

const [USAGE_HEAD, USAGE_REST] = USAGE.split('\ncommands:\n');
const [USAGE_COMMANDS, USAGE_OPTIONS] = USAGE_REST.split('\n\noptions:\n');
// A form starts at two spaces of indent with its command's name; its wrapped lines indent more.
const FORMS = USAGE_COMMANDS.split(/\n(?= {2}\S)/);
const commandOf = (form: string) => form.trimStart().split(/\s/)[0];

/** The commands `main` runs: the first word of each form in `USAGE`. */
const KNOWN_COMMANDS = [...new Set(FORMS.map(commandOf))];

const flagsIn = (text: string) => new Set([...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]));
/** What every command takes: the usage's options. */
const COMMON_FLAGS = flagsIn(USAGE_OPTIONS);

/** The usage's options an offline form takes: none of the gateway's, Kafka's or a model's. */
const OFFLINE_FLAGS = new Set(['json', 'help']);

/** A form that runs in-process (no gateway, no model): its description says `offline:`. */
const runsOffline = (form: string) => /\s{2}offline:/.test(form);

/** A form that needs `--offline` (not `[--offline]`): the command's other forms do not take it. */
const needsOffline = (form: string) => /\s--offline\b/.test(form);

/**
 * Refuses a flag the command's forms in `USAGE` do not name (`eval triage --out x.json`, `eval
 * lander --svg plot.svg`), and a flag that only the command's other forms take (`dream --agent a
 * --cases x`, `dream --offline --sessions s`): all commands share one option table, and such a
 * flag would otherwise be parsed and ignored without a word. Offline forms take neither the
 * gateway's nor a model's options (`eval lander --provider anthropic` would run the builtin team).
 */
function refuseForeignFlags(
  command: string,
  tokens: readonly { kind: string; name?: string }[],
  offline: boolean,
) {
  const forms = FORMS.filter((f) => commandOf(f) === command);
  const split = forms.some(needsOffline) && !forms.every(needsOffline);
  const mine = split ? forms.filter((f) => needsOffline(f) === offline) : forms;
  const inProcess = mine.every(runsOffline);
  const own = flagsIn(mine.join('\n'));
  const others = flagsIn(forms.join('\n'));
  const label = split && offline ? `${command} --offline` : command;
  for (const t of tokens) {
    if (t.kind !== 'option' || !t.name || own.has(t.name)) continue;
    if ((inProcess ? OFFLINE_FLAGS : COMMON_FLAGS).has(t.name)) continue;
    if (others.has(t.name))
      usageError(`${command} takes --${t.name} only ${offline ? 'without' : 'with'} --offline`);
    usageError(
      `${label} takes no --${t.name}${inProcess && COMMON_FLAGS.has(t.name) ? ' (it runs in-process, with the builtin agent: no gateway, no model)' : ''}`,
    );
  }
}

/**
 * Refuses a one-value option given twice (`--out a.json --out b.json`): the last would win
 * without a word. Options that take several (`--playbook`, `--scope`) may repeat.
 */
function refuseRepeatedValues(tokens: readonly { kind: string; name?: string; value?: string }[]) {
  const seen = new Map<string, string | undefined>();
  for (const t of tokens) {
    if (t.kind !== 'option' || !t.name) continue;
    const option = OPTIONS[t.name as keyof typeof OPTIONS];
    if (option?.type !== 'string' || ('multiple' in option && option.multiple)) continue;
    if (seen.has(t.name))
      usageError(
        `--${t.name} given twice ("${seen.get(t.name)}", then "${t.value}"); give it once`,
      );
    seen.set(t.name, t.value);
  }
}

/**
 * Refuses an option given with no value (`--cases=`, `--outcome ""`): read as not given, it
 * would silently dream on the current folder or grade by the default rubric.
 */
function refuseEmptyValues(tokens: readonly { kind: string; name?: string; value?: string }[]) {
  for (const t of tokens)
    if (t.kind === 'option' && typeof t.value === 'string' && t.value.trim() === '')
      usageError(`--${t.name} needs a value`);
}

/**
 * `reverie <command> --help`: the usage of that command's forms and the options; the whole usage
 * for no command or one it does not know.
 */
export function commandUsage(command: string | undefined): string {
  const mine = FORMS.filter((f) => commandOf(f) === command);
  if (!mine.length) return USAGE;
  return `${USAGE_HEAD.trimEnd().replace('<command>', command ?? '<command>')}\n\n${mine.join('\n')}\n\n${optionsFor(mine)}`;
}

/** The usage's options, each with its wrapped lines. */
const OPTION_ENTRIES = USAGE_OPTIONS.split(/\n(?= {2}-)/);

/** The options section for these forms: an offline form takes only the in-process ones. */
function optionsFor(forms: readonly string[]): string {
  const inProcess = (entry: string) => [...flagsIn(entry)].every((f) => OFFLINE_FLAGS.has(f));
  if (forms.every(runsOffline)) return `options:\n${OPTION_ENTRIES.filter(inProcess).join('\n')}`;
  if (!forms.some(runsOffline)) return `options:\n${USAGE_OPTIONS}`;
  return `options (of these, the offline form takes only --json and --help, besides its own flags above):\n${USAGE_OPTIONS}`;
}

/** The command being run, once known: a usage error shows its forms, not every command's. */
let usageOf: string | undefined;

function usageError(message: string): never {
  throw new CliError(message, 2, commandUsage(usageOf));
}

/** The landing task the flags name: a bundled family's scenario or a scenario file. */
function landTask(family: string | undefined, index: string | undefined, file: string | undefined) {
  if (file && family) usageError('land takes --family or --scenario, not both');
  if (file && index !== undefined)
    usageError('--index picks a scenario of a --family; a --scenario file is one scenario');
  if (file) {
    const scenario = readJsonFile(file, 'scenario');
    // `eval lander` and `dream --offline` take families and lists; `land` flies one scenario.
    const many =
      Array.isArray(scenario) ||
      (typeof scenario === 'object' &&
        scenario !== null &&
        ['scenarios', 'count', 'base', 'vary'].some((k) => k in scenario));
    if (many)
      throw new CliError(
        `${file} holds a family or a list of scenarios, and land flies one scenario; fly them all with eval lander --scenarios ${file}`,
        2,
      );
    return { scenario };
  }
  if (!family) usageError('land needs --family <family> (and --index <n>) or --scenario <file>');
  const n = Number(index ?? 0);
  if (!/^\d+$/.test(index ?? '0') || !Number.isSafeInteger(n))
    usageError(`--index must be a whole number from 0, not "${index}"`);
  return { family, index: n };
}

const ID_PREFIXES = { dream: 'drm', batch: 'bat' } as const;

/**
 * The dream or batch `<command> cancel <id>` stops; it takes no other argument, nor any flag of
 * the command's other forms.
 */
function cancelId(
  command: 'dream' | 'batch',
  positionals: string[],
  given: ReadonlySet<string | undefined>,
) {
  const id = positionals[2];
  if (!id) usageError(`${command} cancel needs the ${command} id (${ID_PREFIXES[command]}_…)`);
  if (positionals.length > 3)
    usageError(`${command} cancel: unexpected argument "${positionals[3]}"`);
  const own = flagsIn(FORMS.filter((f) => commandOf(f) === command).join('\n'));
  const flag = [...own].find((f) => given.has(f));
  if (flag) usageError(`${command} cancel takes the ${command} id only, not --${flag}`);
  return id;
}

/** `dream --offline` flags: the environment (its name or short name) and the input it takes. */
function dreamOfflineOptions(v: Record<string, string | string[] | boolean | undefined>) {
  if (typeof v.environment !== 'string')
    usageError('dream --offline needs --environment triage|lander');
  let env;
  try {
    env = offlineEnvironment(v.environment);
  } catch (err) {
    usageError((err as Error).message);
  }
  const input = v[env.flag];
  if (typeof input !== 'string')
    usageError(`dream --offline --environment ${env.alias} needs --${env.flag} ${env.input}`);
  const other = env.flag === 'cases' ? 'scenarios' : 'cases';
  if (v[other] !== undefined)
    usageError(`dream --offline --environment ${env.alias} reads --${env.flag}, not --${other}`);
  if (typeof v.out !== 'string') usageError('dream --offline needs --out <playbook.json>');
  return {
    environment: env.environment,
    input,
    out: v.out,
    cycles: positiveInt(String(v.cycles), 'cycles', MAX_CYCLES),
    playbooks: [v.playbook].flat().filter((p): p is string => typeof p === 'string'),
    ...(typeof v.outcome === 'string' && { outcome: v.outcome }),
    ...freshDrawsOption(v['fresh-draws'], env.alias),
    maxSimulations: 3000,
    force: v.force === true,
  };
}

/**
 * Refuses what `eval` would otherwise ignore without a word: an unknown subcommand, stray
 * arguments, the other subcommand's input flag, a second triage playbook.
 */
function checkEval(
  sub: string | undefined,
  rest: string[],
  v: { cases?: string; scenarios?: string; playbook?: string[] },
): void {
  if (sub !== 'triage' && sub !== 'lander')
    usageError(`eval needs triage or lander, not ${sub === undefined ? 'nothing' : `"${sub}"`}`);
  if (rest.length) usageError(`eval ${sub}: unexpected argument "${rest[0]}"`);
  if (sub === 'triage' && v.scenarios !== undefined)
    usageError('eval triage reads --cases <folder>, not --scenarios');
  if (sub === 'lander' && v.cases !== undefined)
    usageError('eval lander reads --scenarios <file.json>, not --cases');
  if (sub === 'triage' && (v.playbook?.length ?? 0) > 1)
    usageError('eval triage takes one --playbook (a triage agent has one playbook)');
}

/** `--fresh-draws <n>` (0 to 1,000): a lander dream's fresh validation draws of each family. */
function freshDrawsOption(value: unknown, alias: string): { freshDraws?: number } {
  if (value === undefined) return {};
  if (alias !== 'lander')
    usageError(
      `--fresh-draws is for lander dreams (more draws of a scenario file's families); ${alias} takes none`,
    );
  const text = String(value);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_FRESH_DRAWS)
    usageError(`--fresh-draws must be a whole number from 0 to ${MAX_FRESH_DRAWS}, not "${text}"`);
  return { freshDraws: n };
}

/** Most fresh draws of a family `dream --offline --fresh-draws` takes. */
const MAX_FRESH_DRAWS = 1_000;

/** Most dreams one `dream --offline` runs: each runs every task first. */
const MAX_CYCLES = 100;

function positiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  // Digits only: Number() would also take "0x1", "1e3" and " 2 ".
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1)
    usageError(
      max < Number.MAX_SAFE_INTEGER
        ? `--${flag} must be a whole number from 1 to ${max}, not "${value}"`
        : `--${flag} must be a positive whole number, not "${value}"`,
    );
  if (n > max) usageError(`--${flag} must be at most ${max}, not ${value}`);
  return n;
}

/**
 * What `parseArgs` refused, in the CLI's words: an unknown flag is named without node's advice on
 * positionals that start with a dash (no command takes one).
 */
function parseArgsProblem(err: Error & { code?: string }): string {
  const unknown = /^Unknown option '([^']+)'/.exec(err.message);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown)
    return `unknown option ${unknown[1]}`;
  return err.message;
}

/** Where the CLI writes: results to `out`, progress and errors to `err`. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export async function main(
  argv: string[],
  io: CliIo = {
    out: (s) => console.log(s),
    err: (s) => writeStderr(`${s}\n`),
  },
): Promise<number> {
  let parsed;
  usageOf = undefined;
  try {
    parsed = parseArgs({
      args: negativeValuesJoined(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (err) {
    // The usage of the command named, if one is.
    const word = commandWord(argv);
    usageOf = word && KNOWN_COMMANDS.includes(word) ? word : undefined;
    usageError(parseArgsProblem(err as Error & { code?: string }));
  }
  const { values: v, positionals } = parsed;
  usageOf = KNOWN_COMMANDS.includes(positionals[0]) ? positionals[0] : undefined;
  // Before any flag is judged: `reverie bogus --provider x` is about the command.
  if (positionals.length > 0 && !usageOf) usageError(`unknown command "${positionals[0]}"`);
  refuseEmptyValues(parsed.tokens);
  refuseRepeatedValues(parsed.tokens);
  if (usageOf) refuseForeignFlags(usageOf, parsed.tokens, v.offline);
  if (v.help) {
    io.out(commandUsage(positionals[0]));
    return 0;
  }
  // No command is a usage error: the usage goes where errors go.
  if (positionals.length === 0) {
    io.err(USAGE);
    return 2;
  }
  const defaults = cliDefaults();
  const provider = v.provider;
  if (provider !== undefined && provider !== 'builtin' && provider !== 'anthropic') {
    usageError(`--provider must be builtin or anthropic, not "${provider}"`);
  }
  const timeoutMs = positiveInt(v.timeout, 'timeout') * 1_000;
  const ctx: CommandContext = {
    get client() {
      return cliClient(v.url ?? defaults.url, v.key ?? defaults.apiKey, io.err);
    },
    json: v.json,
    progress: new Progress(defaults.isTty && !v.json),
    out: io.out,
    log: v.json ? () => undefined : io.err,
    poll: async (check) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline)
          throw new CliError(
            `still running after ${timeoutMs / 1000} s; raise --timeout or check the orchestrator's logs`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
    },
    modelOverride: provider ? { model: { provider, ...(v.model ? { model: v.model } : {}) } } : {},
  };
  const [command, sub] = positionals;
  const optionsGiven = new Set(parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
  switch (command) {
    case 'agent':
      if (sub !== 'create' || !v.name) usageError('agent create needs --name');
      return agentCreateCommand(ctx, {
        name: v.name,
        provider: provider ?? 'builtin',
        model: v.model,
      });
    case 'run':
      if (!v.agent || !v.case) usageError('run needs --agent and --case');
      return runCommand(ctx, { agent: v.agent, caseId: v.case });
    case 'land':
      // Checked before the flight: a landing must not end in an error or overwrite its scenario.
      if (v.svg !== undefined)
        checkOutputFile('--svg', v.svg, v.svg, [
          ...(v.scenario ? [{ path: v.scenario, label: `--scenario ${v.scenario}` }] : []),
          ...(v.playbook ?? []).map((p) => ({ path: splitPlaybookSpec(p).file, label: p })),
        ]);
      return landCommand(ctx, {
        task: landTask(v.family, v.index, v.scenario),
        offline: v.offline,
        playbooks: v.playbook ?? [],
        agent: v.agent,
        svg: v.svg,
        plot: !v['no-plot'],
      });
    case 'batch': {
      if (sub === 'cancel')
        return batchCancelCommand(ctx, cancelId('batch', positionals, optionsGiven));
      if (!v.agent) usageError('batch needs --agent');
      if (v.family)
        return landBatchCommand(ctx, {
          agent: v.agent,
          family: v.family,
          repeat: positiveInt(v.repeat, 'repeat'),
        });
      if (!['all', 'train', 'held-out'].includes(v.split))
        usageError(`--split must be all, train or held-out, not "${v.split}"`);
      const dataset = v.dataset ?? `${defaults.datasetsDir}/ci-breakages`;
      return batchCommand(ctx, {
        agent: v.agent,
        dataset,
        split: v.split as Split,
        repeat: positiveInt(v.repeat, 'repeat'),
      });
    }
    case 'dream':
      if (sub === 'cancel')
        return dreamCancelCommand(ctx, cancelId('dream', positionals, optionsGiven));
      if (positionals.length > 1) usageError(`dream: unexpected argument "${positionals[1]}"`);
      if (v.offline) return dreamOfflineCommand(ctx, dreamOfflineOptions(v));
      if (!v.agent)
        usageError('dream needs --agent (or --offline to dream on your own cases or scenarios)');
      return dreamCommand(ctx, {
        agent: v.agent,
        ...(v.sessions && { sessions: v.sessions.split(',').filter(Boolean) }),
        markdown: v.markdown,
      });
    case 'eval':
      checkEval(sub, positionals.slice(2), v);
      if (sub === 'lander') {
        if (!v.scenarios) usageError('eval lander needs --scenarios <file.json>');
        return evalLanderCommand(ctx, {
          scenarios: v.scenarios,
          playbooks: v.playbook,
          ...(v.outcome !== undefined && { outcome: v.outcome }),
        });
      }
      if (!v.cases) usageError('eval triage needs --cases <folder>');
      return evalTriageCommand(ctx, {
        cases: v.cases,
        playbook: v.playbook?.[0],
        ...(v.outcome !== undefined && { outcome: v.outcome }),
      });
    case 'playbook':
      if (positionals.length > 1) usageError(`playbook: unexpected argument "${positionals[1]}"`);
      if (!v.agent) usageError('playbook needs --agent <agent id>');
      if (!v.out) usageError('playbook needs --out <file.json>');
      return playbookCommand(ctx, {
        agent: v.agent,
        ...(v.role !== undefined && { role: v.role }),
        out: v.out,
        force: v.force,
      });
    case 'api-keys':
      return apiKeysCommand(ctx, apiKeysOptions(sub, positionals.slice(2), v, usageError));
    case 'dlq': {
      const brokers = (v.brokers ?? defaults.kafkaBrokers).split(',').filter(Boolean);
      const options = dlqOptions(sub, v, brokers, usageError);
      let connection;
      try {
        connection = kafkaConnectionOf();
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      return dlqCommand(ctx, { ...options, connection });
    }
    default:
      // Refused above; a form in USAGE without a case here is a bug.
      throw new Error(`no case for the command "${command}"`);
  }
}

/**
 * Runs the CLI in this thread and turns every failure into one line on stderr and an exit code;
 * with `--json`, also `{"error": {"message", "exitCode"}}` on stdout, so a script reading the
 * answer gets JSON either way. bin/reverie.js starts it through `start` (entry.ts).
 */
export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    failWith(argv, describeFailure(err));
  }
}

/** Prints a failure (and, with `--json`, its JSON on stdout) and sets the exit code. */
export function failWith(
  argv: readonly string[],
  failed: ReturnType<typeof describeFailure>,
): void {
  writeStderr(`reverie: ${failed.message}\n${failed.usage ? `${failed.usage}\n` : ''}`);
  if (argv.includes('--json'))
    process.stdout.write(
      `${JSON.stringify({ error: { message: failed.message, exitCode: failed.exitCode } })}\n`,
    );
  process.exitCode = failed.exitCode;
}

/**
 * What a failure says, on one line (a file name with a newline in it must not split it: control
 * characters read as escapes, `\n`), its exit code (2 for the user's input, 1 for the rest) and,
 * for a usage error, the command's usage to print under it.
 */
export function describeFailure(err: unknown): {
  message: string;
  exitCode: number;
  usage?: string;
} {
  const failed = failure(err);
  return { ...failed, message: oneLine(failed.message) };
}

/** Control characters (a newline, a carriage return, an escape) as JSON writes them. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function failure(err: unknown): { message: string; exitCode: number; usage?: string } {
  if (err instanceof CliError)
    return {
      message: err.message,
      exitCode: err.exitCode,
      ...(err.usage ? { usage: err.usage } : {}),
    };
  // The API's own answer (its error type and message), or no answer at all.
  if (err instanceof ReverieError) {
    const hint =
      err instanceof ReverieConnectionError ? '; is it running? (npm start -- --keep)' : '';
    return { message: `${err.message}${hint}`, exitCode: 1 };
  }
  // A scenario or family the simulator refuses (offline landings): the user's input, not a bug.
  if (err instanceof Error && err.name === 'LanderError')
    return { message: err.message, exitCode: 2 };
  return { message: `unexpected error: ${(err as Error).message}`, exitCode: 1 };
}
