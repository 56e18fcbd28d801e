import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENVIRONMENT_NAMES } from './environments.registry';

const ROOT = join(__dirname, '../../../..');

/**
 * Where an environment's name may be compared with: the environment libs themselves and the
 * plug-in files (runners, dreamers, their domain libs), which are keyed by that name. Everything
 * else asks the registry.
 */
const PLUGIN_PATHS = [
  'libs/environments/',
  'libs/dreaming/lander/',
  'libs/dreaming/triage/',
  'libs/dreaming/feature/src/environments/',
  'libs/orchestration/feature/src/lander/',
  'libs/orchestration/feature/src/triage/',
];

/** Lines that hold a name for another reason, with that reason. */
const NOT_ENVIRONMENTS = [
  {
    path: 'libs/contracts/src/sessions/session.events.ts',
    text: "source: z.enum(['external', 'managed']),",
    why: "a session's source (its client's own agent, or the orchestrator), not its environment",
  },
];

const isTest = (path: string) =>
  /\.(spec|int-spec)\.ts$/.test(path) || /(^|\/)(test|testing)\//.test(path);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/**
 * Branching on an environment name: comparing with it (`=== 'lunar-lander'`, `case 'x':`), or
 * indexing or keying a per-environment table with it (`TABLE['lunar-lander']`, `{ 'x': ... }`), or
 * listing it (`z.enum(['lunar-lander', ...])`).
 */
function branchingPattern(name: string): RegExp {
  const lit = `(?:'${escape(name)}'|"${escape(name)}"|\`${escape(name)}\`)`;
  return new RegExp(
    [
      `(?:===|!==|==|!=)\\s*${lit}`,
      `${lit}\\s*(?:===|!==|==|!=)`,
      `\\bcase\\s+${lit}\\s*:`,
      `\\[\\s*${lit}\\s*\\]`,
      `^\\s*${lit}\\s*:`,
      `[[,]\\s*${lit}\\s*[,\\]]`,
    ].join('|'),
    'm',
  );
}

/** Every `file:line: text` outside the plug-ins where a registered name is branched on. */
function findNameBranching(root: string, names: readonly string[]): string[] {
  const patterns = names.map(branchingPattern);
  const found: string[] = [];
  for (const top of ['apps', 'libs', 'bench', 'scripts'])
    for (const file of sourceFiles(join(root, top))) {
      const path = relative(root, file).split('\\').join('/');
      if (isTest(path) || PLUGIN_PATHS.some((p) => path.startsWith(p))) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const text = line.trim();
          if (NOT_ENVIRONMENTS.some((n) => n.path === path && n.text === text)) return;
          if (patterns.some((p) => p.test(line))) found.push(`${path}:${i + 1}: ${text}`);
        });
    }
  return found;
}

describe('environment names outside the plug-ins', () => {
  it('are never compared with or used as table keys: code asks @reverie/environments instead', () => {
    expect(findNameBranching(ROOT, ENVIRONMENT_NAMES)).toEqual([]);
  });

  it('are found where they are branched on', () => {
    const pattern = (line: string) => branchingPattern('lunar-lander').test(line);
    expect(pattern("    if (environment === 'lunar-lander') return new LanderDreamer();")).toBe(
      true,
    );
    expect(pattern("    case 'lunar-lander':")).toBe(true);
    expect(pattern("  .array(z.union([TASK_SCHEMAS['lunar-lander']]))")).toBe(true);
    expect(pattern("  'lunar-lander': LUNAR_TEAM.roles,")).toBe(true);
    expect(pattern("  environment: z.enum(['ci-log-triage', 'lunar-lander']),")).toBe(true);
    expect(pattern('  readonly environment = LUNAR_LANDER_ENVIRONMENT.name;')).toBe(false);
    expect(pattern('/** For lunar-lander sessions: the touchdown. */')).toBe(false);
  });
});
