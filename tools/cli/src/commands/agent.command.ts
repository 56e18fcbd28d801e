import type { CommandContext } from './command-context';

/** `reverie agent create`: an agent for managed sessions. */
export async function agentCreateCommand(
  ctx: CommandContext,
  opts: { name: string; provider: string; model?: string },
) {
  const agent = await ctx.client.agents.create({
    name: opts.name,
    model: {
      provider: opts.provider as 'builtin' | 'anthropic',
      ...(opts.model ? { model: opts.model } : {}),
    },
  });
  ctx.out(
    ctx.json
      ? JSON.stringify(agent, null, 2)
      : `agent ${agent.id} (${agent.name}, ${agent.model.provider})`,
  );
  return 0;
}
