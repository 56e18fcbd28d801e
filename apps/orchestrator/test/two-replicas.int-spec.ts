import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOPICS } from '@reverie/contracts';
import { expectEventually } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
// The real gateway stores what the orchestrator publishes (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  readAllEvents,
  startGateway,
  type RunningGateway,
} from '../../session-gateway/test/gateway.harness';
import {
  aRunCommand,
  dropDatabase,
  groupHasMembers,
  orchestratorEnv,
  publisher,
  startOrchestrator,
  type RunningOrchestrator,
} from './orchestrator.harness';

describe('two orchestrator replicas', () => {
  let gateway: RunningGateway;
  let replicas: RunningOrchestrator[] = [];
  let kafka: Awaited<ReturnType<typeof publisher>>;

  beforeAll(async () => {
    gateway = await startGateway();
    const env = await orchestratorEnv();
    replicas = [
      await startOrchestrator({ ...env, REPLICA_ID: 'replica-a' }),
      await startOrchestrator({ ...env, REPLICA_ID: 'replica-b' }),
    ];
    // Both have their partitions before the batch arrives, so no rebalance moves a run mid-way.
    await expectEventually(() => groupHasMembers(env.KAFKA_GROUP_ID, 2), { timeoutMs: 60_000 });
    kafka = await publisher();
  });

  afterAll(async () => {
    await kafka?.close();
    if (replicas[0]) await dropDatabase(replicas[0]);
    for (const r of replicas) await r.close();
    await gateway?.close();
  });

  it('share a batch of runs: both run some, and every session completes exactly once', async () => {
    const tenantId = uniqueName('acme');
    const api = await gateway.tenant(tenantId);
    const caseIds = readdirSync(join(replicas[0].config.datasetsDir, 'ci-breakages'), {
      withFileTypes: true,
    })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const batchId = uniqueName('bat');
    const commands = caseIds.map((caseId) =>
      aRunCommand({ tenantId, agentId: 'agt_triage' }, caseId, { batchId }),
    );
    const started = Date.now();
    await kafka.publish(TOPICS.runCommands, commands);

    const runs = await expectEventually(
      async () => {
        const all = await replicas[0].runs.listByBatch(tenantId, batchId);
        const done = all.filter((r) => r.status === 'completed');
        if (done.length < commands.length)
          throw new Error(`${done.length} of ${commands.length} runs completed`);
        return all;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    for (const c of commands)
      await expectEventually(async () => {
        const s = (await api.get(`/v1/sessions/${c.sessionId}`)).body;
        if (s?.status !== 'completed') throw new Error(`session ${c.sessionId} is ${s?.status}`);
      });
    const seconds = (Date.now() - started) / 1000;
    if (process.env.REVERIE_PRINT_RATES)
      process.stdout.write(
        `2 replicas: ${commands.length} sessions in ${seconds.toFixed(1)} s (${((commands.length / seconds) * 60).toFixed(0)}/min)\n`,
      );

    expect(new Set(runs.map((r) => r.replica))).toEqual(new Set(['replica-a', 'replica-b']));
    expect(runs.map((r) => r.attempts)).toEqual(runs.map(() => 1));
    for (const c of commands) {
      const events = await readAllEvents(api, c.sessionId);
      const body = events as unknown as {
        type: string;
        name?: string;
        data?: { result?: unknown };
      }[];
      expect(body.filter((e) => e.name === 'submit_answer')).toHaveLength(1);
      expect(body.filter((e) => e.data?.result)).toHaveLength(1);
    }
  });
});
