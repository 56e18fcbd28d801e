import { SCHEMA_VERSION, TOPICS } from '@reverie/contracts';
import { expectEventually } from '@reverie/testing';
import { startGroupAtEnd, uniqueName } from '@reverie/testing/integration';
import {
  orchestratorEnv,
  publisher,
  startOrchestrator,
  type RunningOrchestrator,
} from './orchestrator.harness';

/**
 * A deployment may keep a replica's id across container restarts (the Helm chart sets REPLICA_ID
 * to the pod's name). A replica killed before its shutdown deleted its playbook group left that
 * group behind with offsets at the topic's end; restarted under the same id it used to read from
 * there and start with an empty catalog.
 */
describe('an orchestrator restarted under its replica id after it was killed', () => {
  let kafka: Awaited<ReturnType<typeof publisher>>;
  let restarted: RunningOrchestrator | undefined;

  beforeAll(async () => {
    kafka = await publisher();
  });
  afterAll(async () => {
    await restarted?.close();
    await kafka?.close();
  });

  it('reads every playbook again, whatever group the killed replica left behind', async () => {
    const tenantId = uniqueName('acme');
    const replicaId = uniqueName('orchestrator-0');
    await kafka.publish(TOPICS.playbookVersions, [
      {
        id: uniqueName('pbv'),
        type: 'playbook.version_activated',
        tenantId,
        agentId: 'agt_kept',
        occurredAt: new Date().toISOString(),
        schemaVersion: SCHEMA_VERSION,
        payload: { playbookId: 'pbk_kept', role: null, version: 3, entries: [] },
      },
    ]);
    const env = await orchestratorEnv({ REPLICA_ID: replicaId });
    // The group the killed replica left behind (named by the replica id alone, as it was): its
    // offsets at the topic's end, the playbook behind them.
    await startGroupAtEnd(`${env.KAFKA_GROUP_ID}-playbooks-${replicaId}`, TOPICS.playbookVersions);

    restarted = await startOrchestrator(env);
    await expectEventually(() =>
      expect(restarted?.catalog.get(tenantId, 'agt_kept')).toMatchObject({ version: 3 }),
    );
  });
});
