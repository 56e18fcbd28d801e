import { writeFileSync } from 'node:fs';
import {
  asciiPlot,
  BuiltinLunarTeam,
  flyLanding,
  formatTouchdownReport,
  resolveScenario,
  svgPlot,
  type LandingResult,
  type TelemetrySample,
} from '@reverie/lunar-lander';
import { CliError } from '../api.client';
import { landingFromEvents } from '../landing-result';
import type { CommandContext } from './command-context';
import { readRolePlaybooks } from './eval-lander.command';
import { followSession } from './follow';

export interface LandOptions {
  /** A bundled family and index, or a whole scenario object (from --scenario <file>). */
  task: { family: string; index: number } | { scenario: unknown };
  /** Run the builtin team in this process, without a gateway. */
  offline: boolean;
  /** Offline: role playbook files (`[role=]FILE`, as `eval lander` takes them). */
  playbooks?: string[];
  agent?: string;
  svg?: string;
  plot: boolean;
}

/** `reverie land`: one landing, through the gateway (or offline), then its report and plot. */
export async function landCommand(ctx: CommandContext, opts: LandOptions): Promise<number> {
  // Rules a role will skip (offline playbooks): on stderr, and with --json in the answer.
  const notes: string[] = [];
  const { result, telemetry, session } = opts.offline
    ? {
        ...(await flyOffline(opts, (line) => {
          notes.push(line.replace(/^note: /, ''));
          ctx.log(line);
        })),
        session: null,
      }
    : await flyManaged(ctx, opts);
  if (!result)
    throw new CliError(
      `session ${session?.id} ended (${session?.status}) without a landing result${session?.endReason ? `: ${session.endReason}` : ''}`,
    );
  if (opts.svg) {
    writeFileSync(
      opts.svg,
      svgPlot(telemetry, {
        title: `${result.scenarioId}: ${result.touchdown?.verdict ?? result.status}`,
      }),
    );
    ctx.log(`trajectory plot written to ${opts.svg}`);
  }
  if (ctx.json) {
    ctx.out(JSON.stringify({ session, result, ...(opts.offline && { notes }) }, null, 2));
  } else {
    ctx.out(describe(result));
    if (opts.plot) ctx.out(`\n${asciiPlot(telemetry)}`);
  }
  return result.safe ? 0 : 1;
}

/** The report a person reads: the touchdown, or why there was none. */
export function describe(result: LandingResult): string {
  const head = `scenario ${result.scenarioId}: ${outcomeWords(result)} after ${result.seconds.toFixed(1)} s (${result.steps} steps)`;
  if (!result.touchdown) return `${head}\nno touchdown; fuel used ${result.fuelUsed.toFixed(0)} kg`;
  return `${head}\n${formatTouchdownReport(result.touchdown, { fuelLimit: result.fuelLimit, scenarioId: result.scenarioId })}`;
}

/**
 * What happened, in words that never call a crash a landing: the simulator's status is `landed`
 * for any touchdown that was not a crash, so a touchdown the gear's limits refused (out of fuel,
 * hard, tipped, on a hazard) is named by its verdict.
 */
export function outcomeWords(result: LandingResult): string {
  if (result.safe) return 'landed safely';
  const verdict = result.touchdown?.verdict;
  if (result.status === 'landed' && verdict)
    return `touched down but did not land safely (${verdict.replace(/_/g, ' ').toUpperCase()})`;
  const words: Record<string, string> = {
    crashed: 'crashed',
    aborted: 'aborted',
    timeout: 'ran out of time before touchdown',
    out_of_bounds: 'flew out of bounds',
    flying: 'was still flying',
  };
  return words[result.status] ?? result.status;
}

async function flyOffline(
  opts: LandOptions,
  note: (line: string) => void,
): Promise<{ result: LandingResult; telemetry: TelemetrySample[] }> {
  const rules = readRolePlaybooks(opts.playbooks ?? [], note);
  return flyLanding(resolveScenario(opts.task), new BuiltinLunarTeam(rules));
}

async function flyManaged(ctx: CommandContext, opts: LandOptions) {
  if (!opts.agent)
    throw new CliError('land needs --agent (or --offline to fly without a gateway)', 2);
  const session = await ctx.client.sessions.create({
    agentId: opts.agent,
    run: { environment: 'lunar-lander', task: opts.task, ...ctx.modelOverride },
  });
  ctx.log(`session ${session.id} started: ${session.title ?? 'lunar landing'}`);
  const current = await followSession(ctx, session.id);
  return {
    ...landingFromEvents(await ctx.client.collect(ctx.client.sessions.allEvents(session.id))),
    session: current,
  };
}
