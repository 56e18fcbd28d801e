import { Module } from '@nestjs/common';
import { DreamingDataAccessModule } from '@reverie/dreaming-data-access';
import { OutcomesDataAccessModule } from '@reverie/outcomes-data-access';
import { startDataAccess, uniqueName, type DataAccessContext } from '@reverie/testing/integration';
import { WebhooksDataAccessModule } from '@reverie/webhooks-data-access';
import { AgentRepository } from '../repositories/agent.repository';
import { SessionsDataAccessModule } from '../sessions-data-access.module';
import { AgentDreamingRepository } from './agent-dreaming.repository';
import { SessionReader } from './session.reader';

const T0 = new Date('2025-03-01T00:00:00.000Z');
const settings = (name: string, enabled: boolean) => ({
  name,
  roles: [],
  model: { provider: 'builtin' as const },
  dreaming: {
    enabled,
    frequency: 'daily' as const,
    timezone: 'UTC',
    publish: 'propose' as const,
  },
});

/**
 * The data-access modules the gateway composes, in one app (the grader and the dreamer use a
 * subset). PlaybooksDataAccessModule is left out: its writer publishes on Kafka, and it declares
 * no collection of another domain (the static check in libs/testing covers it).
 */
@Module({
  imports: [
    SessionsDataAccessModule,
    OutcomesDataAccessModule,
    DreamingDataAccessModule,
    WebhooksDataAccessModule,
  ],
})
class AllDataAccessModule {}

describe('one home per collection, at run time', () => {
  let context: DataAccessContext;

  beforeAll(async () => {
    context = await startDataAccess(AllDataAccessModule, uniqueName('test_one_home'));
  });
  afterAll(() => context?.close());

  it('has one model per collection when every data-access module is in one app', () => {
    const byCollection = new Map<string, string[]>();
    for (const model of Object.values(context.connection.models)) {
      const name = model.collection.collectionName;
      byCollection.set(name, [...(byCollection.get(name) ?? []), model.modelName]);
    }
    for (const name of ['sessions', 'session_event_pages', 'feedback', 'agents'])
      expect(byCollection.get(name)).toHaveLength(1);
    const shared = [...byCollection].filter(([, models]) => models.length > 1);
    expect(shared).toEqual([]);
  });

  it('gives the readers the same models as the writers (what the gateway writes, they read)', async () => {
    const agents = context.app.get(AgentRepository);
    const agent = await agents.create('acme', settings('reader-sees-writer', true));
    const enabled = await context.app.get(AgentDreamingRepository).enabledAgents();
    expect(enabled.map((a) => a._id)).toContain(agent._id);
    expect(await context.app.get(SessionReader).session('acme', 'ses_none')).toBeNull();
  });
});

describe('AgentDreamingRepository', () => {
  let context: DataAccessContext;
  let repo: AgentDreamingRepository;
  let agents: AgentRepository;

  beforeAll(async () => {
    context = await startDataAccess(SessionsDataAccessModule, uniqueName('test_agent_dreaming'));
    repo = context.app.get(AgentDreamingRepository);
    agents = context.app.get(AgentRepository);
  });
  afterAll(() => context?.close());

  it("lists every tenant's agents whose dreaming is enabled, with their dreaming settings", async () => {
    const on = await agents.create('acme', settings('dreams', true));
    const other = await agents.create('globex', settings('dreams-too', true));
    const off = await agents.create('acme', settings('sleeps', false));
    const listed = await repo.enabledAgents();
    const ids = listed.map((a) => a._id);
    expect(ids).toEqual(expect.arrayContaining([on._id, other._id]));
    expect(ids).not.toContain(off._id);
    expect(listed.find((a) => a._id === on._id)).toEqual({
      _id: on._id,
      tenantId: 'acme',
      dreaming: settings('dreams', true).dreaming,
    });
  });

  it("records and clears the schedule error on the agent, and only under the agent's tenant", async () => {
    const agent = await agents.create('acme', settings('bad-cron', true));
    const error = { message: 'scheduling failed: minute 99 is out of range', at: T0 };

    expect(await repo.recordScheduleError('globex', agent._id, error)).toBe(false);
    expect((await agents.findById('acme', agent._id))?.dreaming.lastScheduleError).toBeUndefined();

    expect(await repo.recordScheduleError('acme', agent._id, error)).toBe(true);
    const shown = await agents.findById('acme', agent._id);
    expect(shown?.dreaming).toEqual({
      ...settings('bad-cron', true).dreaming,
      lastScheduleError: error,
    });
    expect(shown?.name).toBe('bad-cron');

    await repo.clearScheduleError('globex', agent._id);
    expect((await agents.findById('acme', agent._id))?.dreaming.lastScheduleError).toEqual(error);
    await repo.clearScheduleError('acme', agent._id);
    expect((await agents.findById('acme', agent._id))?.dreaming).toEqual(
      settings('bad-cron', true).dreaming,
    );
  });
});
