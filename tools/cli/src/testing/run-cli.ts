import { CliError } from '../api.client';
import { main } from '../main';

/**
 * Runs the CLI in-process as a spec would from a shell: its exit code and what it printed on
 * stdout (`out`) and stderr (`err`); a refused command (a `CliError`) gives its exit code and
 * message (with the usage under it, for a usage error) as `out` instead.
 */
export async function runCli(
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    const said = e.usage ? `${e.message}\n${e.usage}` : e.message;
    return { code: e.exitCode, out: said, err: err.join('\n') };
  }
}
