/**
 * An offline support team (no model) that reads its playbooks from Reverie and reports through
 * the REST API only: a coordinator delegating to a billing and an account specialist, each obeying
 * the rules of its own role's playbook.
 *
 *   REVERIE_API_URL=http://127.0.0.1:3000 REVERIE_API_KEY=rvk_... \
 *     node -r @swc-node/register examples/support-desk/offline-agent.ts <agent id> [task ids...]
 *
 * Without task ids it works the first ten test-split tickets. The agent must have the roles
 * coordinator, billing and account (see examples/support-desk/README.md).
 */
import {
  OfflineSupportTeam,
  supportTaskById,
  supportTasks,
  type SupportRole,
  type SupportTask,
  type TeamRules,
} from '@reverie/support-desk';
import { ReverieRest, type ServedPlaybook } from './reverie-rest';

/** Each role's rules, from the playbooks the session was started with. */
export function rulesByRole(playbooks: readonly ServedPlaybook[]): TeamRules {
  const rules: TeamRules = {};
  for (const p of playbooks) if (p.role) rules[p.role as SupportRole] = p.rules;
  return rules;
}

export interface TicketResult {
  sessionId: string;
  status: 'completed' | 'failed';
  versions: Record<string, number>;
}

/** Works one ticket as one session: start (read playbooks), post events, end. */
export async function runOfflineTicket(
  api: ReverieRest,
  agentId: string,
  task: SupportTask,
): Promise<TicketResult> {
  const session = await api.startSession(agentId, `ticket ${task.id}`, { task_id: task.id });
  const run = new OfflineSupportTeam(task, rulesByRole(session.playbooks)).run();
  await api.postEvents(session.id, run.events);
  await api.endSession(session.id, run.status, run.reason);
  return {
    sessionId: session.id,
    status: run.status,
    versions: Object.fromEntries(session.playbooks.map((p) => [p.role ?? 'agent', p.version])),
  };
}

async function main(): Promise<void> {
  const [agentId, ...ids] = process.argv.slice(2);
  const key = process.env.REVERIE_API_KEY;
  if (!agentId || !key) {
    process.stderr.write('usage: REVERIE_API_KEY=rvk_... offline-agent.ts <agent id> [task ids...]\n');
    process.exit(2);
  }
  const api = new ReverieRest(process.env.REVERIE_API_URL ?? 'http://127.0.0.1:3000', key);
  const tasks = ids.length
    ? ids.map((id) => supportTaskById(id) ?? fail(`unknown task id "${id}" (e.g. refund-3, plan-12)`))
    : supportTasks(20, 'test').slice(0, 10);
  for (const task of tasks) {
    const r = await runOfflineTicket(api, agentId, task);
    process.stdout.write(`${task.id}\t${r.sessionId}\t${r.status}\t${JSON.stringify(r.versions)}\n`);
  }
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

if (require.main === module) main().catch((e: Error) => fail(e.message));
