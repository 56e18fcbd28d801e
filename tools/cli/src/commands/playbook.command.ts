import type { PlaybookVersion } from '@reverie/client';
import type { CommandContext } from './command-context';
import { printable } from './eval-triage.command';
import { learnedFromOf } from './learned-from';
import { checkOutputFile, refuseExisting, writeOutputs } from './output-file';

export interface PlaybookOptions {
  agent: string;
  role?: string;
  out: string;
  force: boolean;
}

/**
 * `reverie playbook --agent <id> [--role <role>] --out <file.json> [--force]`: the agent's (or
 * one role's) active playbook as `GET /v1/agents/:id/playbook` answers it, in a file `eval` and
 * `dream --offline --playbook` read. Says its version, its active entries and what the dreams
 * that wrote its rules learned from (so `eval` on those cases will say they are not held-out).
 */
export async function playbookCommand(ctx: CommandContext, o: PlaybookOptions): Promise<number> {
  // Checked before asking: the answer must not end in an error or replace an earlier file.
  checkOutputFile('--out', o.out, o.out, [], true);
  refuseExisting('--out', o.out, [o.out], o.force);
  const pb = await ctx.client.playbooks.active(o.agent, o.role ? { role: o.role } : {});
  writeOutputs([{ file: o.out, text: `${JSON.stringify(pb, null, 2)}\n` }], {
    replace: o.force,
  });
  const learned = learnedFromOf(o.out, pb);
  if (ctx.json) {
    ctx.out(
      JSON.stringify(
        {
          file: o.out,
          agentId: o.agent,
          role: o.role ?? null,
          version: pb.version,
          status: pb.status,
          activeEntries: activeEntries(pb),
          learnedFrom: learned.map((l) => ({
            environment: l.environment,
            input: l.input,
            train: l.train.length,
            validation: l.validation.length,
          })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const whose = o.role ? `the ${printable(o.role)} playbook` : 'the playbook';
  ctx.out(
    pb.version === 0
      ? `${o.out}: ${whose} of ${printable(o.agent)} has no version yet (version 0, no entries)`
      : `${o.out}: ${whose} of ${printable(o.agent)}, version ${pb.version} (${pb.status}), ${activeEntries(pb)} active entr${activeEntries(pb) === 1 ? 'y' : 'ies'}`,
  );
  for (const l of learned)
    ctx.out(
      `  learned from ${l.train.length} training and chose on ${l.validation.length} validation task(s) of ${l.environment} (${printable(l.input)}); eval says which of your cases those are`,
    );
  return 0;
}

const activeEntries = (pb: PlaybookVersion) =>
  (pb.entries ?? []).filter((e) => (e as { status?: unknown }).status === 'active').length;
