/** The CLI's flags, and how a command line is read before parseArgs sees it. */

export const OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  agent: { type: 'string' },
  case: { type: 'string' },
  name: { type: 'string' },
  provider: { type: 'string' },
  model: { type: 'string' },
  split: { type: 'string', default: 'all' },
  repeat: { type: 'string', default: '1' },
  dataset: { type: 'string' },
  family: { type: 'string' },
  index: { type: 'string' },
  scenario: { type: 'string' },
  offline: { type: 'boolean', default: false },
  svg: { type: 'string' },
  'no-plot': { type: 'boolean', default: false },
  timeout: { type: 'string', default: '600' },
  json: { type: 'boolean', default: false },
  sessions: { type: 'string' },
  markdown: { type: 'boolean', default: false },
  scope: { type: 'string', multiple: true },
  topic: { type: 'string' },
  offset: { type: 'string' },
  brokers: { type: 'string' },
  cases: { type: 'string' },
  playbook: { type: 'string', multiple: true },
  scenarios: { type: 'string' },
  environment: { type: 'string' },
  out: { type: 'string' },
  cycles: { type: 'string', default: '3' },
  outcome: { type: 'string' },
  'fresh-draws': { type: 'string' },
  force: { type: 'boolean', default: false },
  role: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** Whether `arg` is a flag written alone that takes the next word as its value (`--agent`). */
function takesValue(arg: string): boolean {
  const flag = /^--([a-z-]+)$/.exec(arg)?.[1] as keyof typeof OPTIONS | undefined;
  return !!flag && OPTIONS[flag]?.type === 'string';
}

/**
 * `--cycles -1` as `--cycles=-1`: parseArgs reads a value starting with "-" as a missing one
 * ("argument is ambiguous"), when the user meant a number the flag's own check then refuses.
 */
export function negativeValuesJoined(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (takesValue(argv[i]) && /^-\d/.test(argv[i + 1] ?? '')) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/**
 * The first word that is neither a flag nor a flag's value (`--agent x land`: `land`), for the
 * usage to show when parseArgs refuses the line.
 */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (takesValue(argv[i])) i++;
    else if (argv[i] === '--') return argv[i + 1];
    else if (!argv[i].startsWith('-')) return argv[i];
  }
  return undefined;
}
