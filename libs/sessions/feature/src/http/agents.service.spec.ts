import { parseOrThrow } from '@reverie/http';
import type { AgentRecord, AgentRepository } from '@reverie/sessions-data-access';
import { createAgentSchema, type AgentSettings } from '@reverie/sessions-domain';
import { AgentsService, listAgentsQuerySchema } from './agents.service';

describe('GET /v1/agents query', () => {
  it('takes limit and after_name', () => {
    expect(listAgentsQuerySchema.parse({})).toEqual({ limit: 100 });
    expect(listAgentsQuerySchema.parse({ limit: '5', after_name: 'moon' })).toEqual({
      limit: 5,
      after_name: 'moon',
    });
  });

  it.each([
    [{ 'after_name[$gt]': '' }, /query has an unrecognized key|after_name\[\$gt\]/],
    [{ colour: 'red' }, /colour/],
    [{ after_name: 'a'.repeat(101) }, /query\.after_name/],
  ])('refuses %j, as the other lists do', (query, message) => {
    expect(() => parseOrThrow(listAgentsQuerySchema, query, 'query', 'query')).toThrow(message);
  });
});

describe('PATCH /v1/agents/:id', () => {
  /** A service over one stored agent, as its repository would hand it back. */
  function serviceOver(stored: AgentRecord) {
    const agents = {
      findById: async () => stored,
      replaceSettings: async (_tenant: string, _id: string, settings: AgentSettings) => ({
        ...stored,
        ...settings,
      }),
    };
    return new AgentsService(agents as unknown as AgentRepository);
  }

  /** The defaults as stored, under `name` as it was accepted then. */
  const stored = (name: string) =>
    ({
      _id: 'agt_1',
      tenantId: 't',
      ...createAgentSchema.parse({ name: 'x' }),
      name,
    }) as AgentRecord;

  it('still patches an agent named before names could not end in a space', async () => {
    const updated = await serviceOver(stored('lander ')).update('t', 'agt_1', {
      dreaming: { enabled: true },
    });
    expect(updated).toMatchObject({ name: 'lander ', dreaming: { enabled: true } });
  });

  it('refuses a misspelt model key by name instead of dropping it', async () => {
    await expect(
      serviceOver(stored('lander')).update('t', 'agt_1', { model: { modle: 'x' } }),
    ).rejects.toThrow('invalid agent update: model Unrecognized key: "modle"');
  });

  it('refuses a misspelt dreaming key by name: dropped, it would leave dreaming off', async () => {
    await expect(
      serviceOver(stored('lander')).update('t', 'agt_1', { dreaming: { enabeld: true } }),
    ).rejects.toThrow('invalid agent update: dreaming Unrecognized key: "enabeld"');
    await expect(
      serviceOver(stored('lander')).update('t', 'agt_1', {
        dreaming: { window: { start: '01:00', end: '05:00', zone: 'UTC' } },
      }),
    ).rejects.toThrow('dreaming.window Unrecognized key: "zone"');
  });

  it("patches an agent whose dreaming holds the scheduler's last error, and clears that record", async () => {
    const agent = stored('lander');
    agent.dreaming = {
      ...agent.dreaming,
      lastScheduleError: { message: 'budget spent', at: new Date(0) },
    };
    const updated = await serviceOver(agent).update('t', 'agt_1', { dreaming: { enabled: true } });
    expect(updated.dreaming).toMatchObject({ enabled: true });
    expect(updated.dreaming).not.toHaveProperty('lastScheduleError');
  });
});
