import { CliError } from '../api.client';
import { main } from '../main';

/**
 * Runs the CLI in-process as a spec would from a shell: its exit code and what it printed on
 * stdout; a refused command (a `CliError`) gives its exit code and message instead.
 */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  try {
    const code = await main(argv, { out: (s) => out.push(s), err: () => undefined });
    return { code, out: out.join('\n') };
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    return { code: err.exitCode, out: err.message };
  }
}
