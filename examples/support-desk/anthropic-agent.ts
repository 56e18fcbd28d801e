/**
 * A support team whose specialist is a model (the Anthropic SDK), reading its role's playbook text
 * from the session Reverie starts and reporting through the REST API only. The coordinator routes
 * the ticket and closes it; the specialist (billing or account) decides its tool calls.
 *
 *   ANTHROPIC_API_KEY=sk-... REVERIE_API_KEY=rvk_... \
 *     node -r @swc-node/register examples/support-desk/anthropic-agent.ts <agent id> <task id>
 *
 * ANTHROPIC_BASE_URL points the SDK elsewhere (the tests use a local Messages API server);
 * ANTHROPIC_MODEL picks the model (default claude-sonnet-4-5).
 */
import Anthropic from '@anthropic-ai/sdk';
import type { SessionEventBody } from '@reverie/contracts';
import {
  SUPPORT_DESK_KEY,
  SUPPORT_TOOLS,
  SupportWorld,
  TOOL_ARGS,
  supportTaskById,
  type SupportTask,
} from '@reverie/support-desk';
import { ReverieRest } from './reverie-rest';

const MAX_TURNS = 12;

type Draft = Record<string, unknown> & { type: string };

function toolsFor(role: 'billing' | 'account'): Anthropic.Tool[] {
  const tools: Anthropic.Tool[] = SUPPORT_TOOLS[role].map((name) => ({
    name,
    description: `The back office's ${name} tool.`,
    input_schema: {
      type: 'object' as const,
      properties: Object.fromEntries(
        TOOL_ARGS[name].map((a) => [a, { type: a === 'amount' ? 'number' : 'string' }]),
      ),
      required: [...TOOL_ARGS[name]],
    },
  }));
  tools.push({
    name: 'wait',
    description: 'Wait before the next call (milliseconds).',
    input_schema: {
      type: 'object' as const,
      properties: { ms: { type: 'number' } },
      required: ['ms'],
    },
  });
  return tools;
}

/** Works one ticket: returns how the session ended. */
export async function runAnthropicTicket(
  api: ReverieRest,
  anthropic: Anthropic,
  model: string,
  agentId: string,
  task: SupportTask,
): Promise<{ sessionId: string; status: 'completed' | 'failed' }> {
  const session = await api.startSession(agentId, `ticket ${task.id}`, { task_id: task.id });
  const role = task.requested[0].role as 'billing' | 'account';
  const playbook = session.playbooks.find((p) => p.role === role)?.text ?? '';
  const world = new SupportWorld(task);
  const events: Draft[] = [
    {
      type: 'observation',
      actor: 'environment',
      data: { [SUPPORT_DESK_KEY]: { task_id: task.id, family: task.family } },
    },
    { type: 'message', role: 'user', content: task.ticket },
    { type: 'message', role: 'agent', actor: 'coordinator', to: role, content: task.ticket },
  ];
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: task.ticket }];
  let failed = false;
  for (let turn = 0; turn < MAX_TURNS; turn++) {
    const reply = await anthropic.messages.create({
      model,
      max_tokens: 1024,
      system: `You are the ${role} specialist of a support desk. Carry out the customer's request with your tools, then say done.\n\n${playbook}`,
      tools: toolsFor(role),
      messages,
    });
    events.push({
      type: 'model_call',
      actor: role,
      provider: 'anthropic',
      model,
      usage: { inputTokens: reply.usage.input_tokens, outputTokens: reply.usage.output_tokens },
      stopReason: reply.stop_reason ?? undefined,
    });
    messages.push({ role: 'assistant', content: reply.content });
    const uses = reply.content.filter((c): c is Anthropic.ToolUseBlock => c.type === 'tool_use');
    if (!uses.length) break;
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const use of uses) {
      const input = (use.input ?? {}) as Record<string, unknown>;
      if (use.name === 'wait') {
        world.wait(Number(input.ms));
        events.push({
          type: 'action',
          actor: role,
          name: 'wait',
          params: { ms: Number(input.ms) || 0 },
        });
        results.push({ type: 'tool_result', tool_use_id: use.id, content: 'waited' });
        continue;
      }
      const outcome = world.call(use.name, input);
      failed = !outcome.ok;
      events.push({ type: 'tool_call', actor: role, toolCallId: use.id, name: use.name, input });
      events.push({
        type: 'tool_result',
        actor: role,
        toolCallId: use.id,
        output: outcome.output,
        isError: !outcome.ok,
      });
      results.push({
        type: 'tool_result',
        tool_use_id: use.id,
        content: JSON.stringify(outcome.output),
        is_error: !outcome.ok,
      });
    }
    messages.push({ role: 'user', content: results });
  }
  for (const [name, input] of [
    ['notify_customer', { customer_id: task.customerId, message: 'Your request is done.' }],
    ['close_ticket', { ticket_id: task.id }],
  ] as const) {
    const outcome = world.call(name, input);
    events.push({
      type: 'tool_call',
      actor: 'coordinator',
      toolCallId: `coord-${name}`,
      name,
      input,
    });
    events.push({
      type: 'tool_result',
      actor: 'coordinator',
      toolCallId: `coord-${name}`,
      output: outcome.output,
      isError: !outcome.ok,
    });
  }
  const numbered = events.map((e, i) => ({
    ...e,
    clientEventId: `e${i + 1}`,
    step: i,
  })) as unknown as SessionEventBody[];
  await api.postEvents(session.id, numbered);
  const status = failed ? 'failed' : 'completed';
  await api.endSession(session.id, status, failed ? 'the last tool call failed' : 'done');
  return { sessionId: session.id, status };
}

async function main(): Promise<void> {
  const [agentId, taskId] = process.argv.slice(2);
  const task = taskId ? supportTaskById(taskId) : null;
  if (!agentId || !task || !process.env.REVERIE_API_KEY) {
    process.stderr.write(
      'usage: ANTHROPIC_API_KEY=... REVERIE_API_KEY=rvk_... anthropic-agent.ts <agent id> <task id, e.g. refund-3>\n',
    );
    process.exit(2);
  }
  const api = new ReverieRest(
    process.env.REVERIE_API_URL ?? 'http://127.0.0.1:3000',
    process.env.REVERIE_API_KEY,
  );
  const anthropic = new Anthropic({
    baseURL: process.env.ANTHROPIC_BASE_URL,
    apiKey: process.env.ANTHROPIC_API_KEY,
  });
  const r = await runAnthropicTicket(
    api,
    anthropic,
    process.env.ANTHROPIC_MODEL ?? 'claude-sonnet-4-5',
    agentId,
    task,
  );
  process.stdout.write(`${task.id}\t${r.sessionId}\t${r.status}\n`);
}

if (require.main === module)
  main().catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  });
