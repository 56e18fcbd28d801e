import { getConnectionToken } from '@nestjs/mongoose';
import { DreamScheduler, type ScheduleOutcome } from '@reverie/dreaming-feature';
import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
import type { Connection } from 'mongoose';
// The real gateway (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
import { aDream, startDreamer, type RunningDreamer } from './dreamer.harness';

// Bodies as the API returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Scheduling on the real stack with a controllable clock: the test calls `tick(now)` with the
 * times it wants (the dreamer's own timer is off), and dreams run for real, reading their idle
 * window against the same clock.
 */
describe('scheduled dreams: schedule, idle window, nothing new, budgets and the kill switch', () => {
  let gateway: RunningGateway;
  let dreamer: RunningDreamer;
  let scheduler: DreamScheduler;
  let api: ApiClient;
  const tenantId = uniqueName('sched');
  const at = (iso: string) => new Date(iso);
  /** The dreamer's clock: the time of the last tick, unless a test moves it on. */
  let clockNow = new Date();

  beforeAll(async () => {
    gateway = await startGateway();
    dreamer = await startDreamer(
      gateway.config.mongo.db,
      { DREAM_SCHEDULE_TICK_MS: '0', DREAM_SWEEP_MS: '3600000' },
      { now: () => clockNow },
    );
    scheduler = dreamer.app.get(DreamScheduler);
    api = await gateway.tenant(tenantId);
  }, 120_000);

  afterAll(async () => {
    await dreamer?.close();
    await gateway?.close();
  });

  // A tick considers every enabled agent: each test's agents are switched off after it, so they
  // don't take this replica's dream slot in the next test's ticks.
  const created: string[] = [];
  afterEach(async () => {
    for (const id of created.splice(0))
      expect(
        (await api.request('PATCH', `/v1/agents/${id}`, { dreaming: { enabled: false } })).status,
      ).toBe(200);
  });
  const agent = async (dreaming: Json) => {
    const res = await api.post('/v1/agents', anAgent({ dreaming }));
    expect(res.status).toBe(201);
    created.push(res.body.id);
    return res.body.id as string;
  };
  /** An external session that has ended: something new to dream about. */
  const endedSession = async (agentId: string) => {
    const s = await api.post('/v1/sessions', { agentId });
    expect(s.status).toBe(201);
    expect((await api.post(`/v1/sessions/${s.body.id}/end`, { status: 'failed' })).status).toBe(
      200,
    );
    await expectEventually(async () => {
      const got = (await api.get(`/v1/sessions/${s.body.id}`)).body;
      if (!got.endedAt) throw new Error('end not stored yet');
    });
  };
  const forAgent = (outcomes: ScheduleOutcome[], agentId: string) => {
    const o = outcomes.find((x) => x.agentId === agentId);
    if (!o) throw new Error(`no decision for ${agentId}`);
    return o as Json;
  };
  /** A dream stored as the API would (pending, not picked up: sweeps are off). */
  const storeDream = (agentId: string, idPrefix: string, createdAt?: Date) =>
    dreamer.dreams.create(
      aDream(
        { _id: uniqueName(idPrefix), tenantId, agentId },
        { model: { provider: 'anthropic' }, publish: 'propose' },
      ),
      createdAt,
    );
  /** A dream of the agent, created at `createdAt`, that ended having spent these tokens. */
  const dreamThatSpent = async (
    agentId: string,
    createdAt: Date,
    input: number,
    output: number,
  ) => {
    const stored = await storeDream(agentId, 'drm_spent', createdAt);
    if (!stored.created) throw new Error('the agent already has an unfinished dream');
    const id = stored.dream._id;
    await dreamer.dreams.claim(id, 'test', 60_000);
    await dreamer.dreams.finish(id, 'test', {
      status: 'completed',
      usage: {
        input_tokens: input,
        output_tokens: output,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
  };
  const tick = async (iso: string, agentId: string, runAt = iso) => {
    clockNow = at(runAt);
    const o = forAgent(await scheduler.tick(at(iso)), agentId);
    await dreamer.runner.idle();
    return o;
  };

  it('a daily dream runs once per day inside its idle window, and only when something is new', async () => {
    const id = await agent({
      enabled: true,
      frequency: 'daily',
      timezone: 'Europe/Paris',
      window: { start: '01:00', end: '05:00' },
      budget: { tokensPerDream: 5000 },
      publish: 'propose',
    });
    // Inside the window (01:10 in Paris) but no session has ended yet.
    expect(await tick('2026-12-01T00:10:00Z', id)).toMatchObject({ skipped: 'nothing_new' });
    await endedSession(id);
    // 00:30 in Paris: the day's slot is due, the window not open yet.
    expect(await tick('2026-11-30T23:30:00Z', id)).toMatchObject({ skipped: 'outside_window' });
    const started = await tick('2026-12-01T00:10:00Z', id);
    expect(started).toMatchObject({ tokenBudget: 5000, running: true });
    const dream = (await api.get(`/v1/dreams/${started.started}`)).body;
    expect(dream).toMatchObject({ status: 'completed', trigger: 'schedule', agent_id: id });
    // Later the same night: this day's dream has run.
    expect(await tick('2026-12-01T02:00:00Z', id)).toMatchObject({ skipped: 'not_due' });
    // The next night: nothing ended since that dream.
    expect(await tick('2026-12-02T00:05:00Z', id)).toMatchObject({ skipped: 'nothing_new' });
    await endedSession(id);
    expect(await tick('2026-12-02T00:06:00Z', id)).toHaveProperty('started');
    // Disabled: never.
    const off = await agent({
      enabled: false,
      frequency: 'hourly',
      timezone: 'UTC',
      publish: 'propose',
    });
    await endedSession(off);
    expect((await scheduler.tick(at('2026-12-02T00:06:00Z'))).some((o) => o.agentId === off)).toBe(
      false,
    );
  }, 120_000);

  it('a scheduled dream still waiting or running when its idle window closes stops before publishing', async () => {
    const id = await agent({
      enabled: true,
      frequency: 'daily',
      timezone: 'Europe/Paris',
      window: { start: '01:00', end: '05:00' },
      publish: 'apply',
    });
    await endedSession(id);
    // Due at 04:59 in Paris; by the time it runs, the window has closed (05:00:30).
    const late = await tick('2026-12-05T03:59:00Z', id, '2026-12-05T04:00:30Z');
    expect(late).toHaveProperty('started');
    const dream = (await api.get(`/v1/dreams/${late.started}`)).body;
    expect(dream).toMatchObject({
      status: 'failed',
      outputs: [],
      error: {
        type: 'window_closed',
        message: expect.stringContaining(
          'its idle window closed at 2026-12-05T04:00:00.000Z before it ended: stopped before its first stage',
        ),
      },
    });
    const { report } = (await api.get(`/v1/dreams/${late.started}/report`)).body;
    expect(report.notes.at(-1)).toMatch(
      /the next slot of its schedule inside the window dreams again; nothing published$/,
    );
    // Nothing was reviewed: the next night's dream reviews that session.
    const next = await tick('2026-12-06T00:10:00Z', id);
    expect((await api.get(`/v1/dreams/${next.started}`)).body).toMatchObject({
      status: 'completed',
      sessions_reviewed: 1,
    });
  }, 120_000);

  it('a cron schedule in its time zone', async () => {
    const id = await agent({
      enabled: true,
      frequency: 'cron',
      cron: '30 */6 * * *',
      timezone: 'America/New_York',
      publish: 'propose',
      model: { provider: 'anthropic', model: 'claude-haiku-4-5' },
      instructions: 'prefer small changes',
    });
    await endedSession(id);
    // 06:29 in New York (11:29 UTC): the 00:30 slot is due.
    const first = await tick('2026-12-01T11:29:00Z', id);
    expect(first).toHaveProperty('started');
    // With the agent's dreaming model and instructions.
    expect((await api.get(`/v1/dreams/${first.started}`)).body).toMatchObject({
      trigger: 'schedule',
      model: { provider: 'anthropic', model: 'claude-haiku-4-5' },
      instructions: 'prefer small changes',
    });
    await endedSession(id);
    expect(await tick('2026-12-01T11:31:00Z', id)).toHaveProperty('started'); // the 06:30 slot
    await endedSession(id);
    expect(await tick('2026-12-01T17:29:00Z', id)).toMatchObject({ skipped: 'not_due' });
  }, 120_000);

  it("the day's token budget: no dream once the agent's dreams spent it", async () => {
    const id = await agent({
      enabled: true,
      frequency: 'hourly',
      timezone: 'UTC',
      budget: { tokensPerDay: 100, tokensPerDream: 80 },
      publish: 'propose',
    });
    await endedSession(id);
    // A dream earlier today spent 70 tokens (a model reflector's): 30 are left, so the next gets 30.
    await dreamThatSpent(id, at('2026-12-03T08:00:00Z'), 50, 20);
    expect(await tick('2026-12-03T09:00:00Z', id)).toMatchObject({
      tokenBudget: 30,
      running: true,
    });
    // And another 40 spent: the day is over budget; tomorrow it starts again.
    await dreamThatSpent(id, at('2026-12-03T09:30:00Z'), 40, 0);
    await endedSession(id);
    expect(await tick('2026-12-03T10:00:00Z', id)).toMatchObject({ skipped: 'day_budget_spent' });
    expect(await tick('2026-12-04T00:00:00Z', id)).toMatchObject({ tokenBudget: 80 });
  }, 120_000);

  it('the kill switch: pausing an agent or the tenant stops new dreams and cancels unfinished ones', async () => {
    const id = await agent({
      enabled: true,
      frequency: 'hourly',
      timezone: 'UTC',
      publish: 'propose',
    });
    await endedSession(id);
    // A dream asked for through the API, still pending (no dreamer takes it: sweeps are off and
    // the request is not consumed by this dreamer's group before we pause).
    const pending = await storeDream(id, 'drm_pending');
    expect(pending.created).toBe(true);
    const paused = await api.put('/v1/dreaming/pause', {
      paused: true,
      agent_id: id,
      reason: 'incident 42',
    });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ scope: 'agent', paused: true, reason: 'incident 42' });
    expect(paused.body.canceled_dreams).toEqual([(pending as Json).dream._id]);
    expect((await api.get(`/v1/dreams/${(pending as Json).dream._id}`)).body.status).toBe(
      'canceled',
    );
    expect(await tick('2026-12-05T10:00:00Z', id)).toMatchObject({ skipped: 'paused' });
    const refused = await api.post('/v1/dreams', { agent_id: id });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('paused');

    await api.put('/v1/dreaming/pause', { paused: false, agent_id: id });
    // The tenant-wide switch covers every agent.
    expect((await api.put('/v1/dreaming/pause', { paused: true })).body).toMatchObject({
      scope: 'tenant',
    });
    expect(await tick('2026-12-05T10:00:00Z', id)).toMatchObject({ skipped: 'paused' });
    expect((await api.get('/v1/dreaming/pause')).body).toMatchObject({
      paused: true,
      scope: 'tenant',
    });
    await api.put('/v1/dreaming/pause', { paused: false });
    expect(await tick('2026-12-05T10:00:00Z', id)).toHaveProperty('started');
    expect((await api.put('/v1/dreaming/pause', { paused: 'yes' })).status).toBe(400);
  }, 120_000);

  it("one agent's bad schedule, stored past validation, is recorded on it and holds up no one else", async () => {
    // Refused at the door, with what is wrong.
    const refused = await api.post(
      '/v1/agents',
      anAgent({ dreaming: { enabled: true, frequency: 'cron', cron: '99 99 * * *' } }),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      'invalid agent: dreaming.cron "99 99 * * *": minute 99 is out of range 0-59',
    );
    const badZone = await api.post(
      '/v1/agents',
      anAgent({ dreaming: { enabled: true, frequency: 'hourly', timezone: 'Mars/Olympus' } }),
    );
    expect(badZone.status).toBe(400);
    expect(badZone.body.error.details[0].path).toBe('dreaming.timezone');

    // Two agents whose settings were written straight to MongoDB (an old record, a migration).
    const bad = await agent({
      enabled: true,
      frequency: 'hourly',
      timezone: 'UTC',
      publish: 'propose',
    });
    const badZoneAgent = await agent({
      enabled: true,
      frequency: 'hourly',
      timezone: 'UTC',
      publish: 'propose',
    });
    const good = await agent({
      enabled: true,
      frequency: 'hourly',
      timezone: 'UTC',
      publish: 'propose',
    });
    const agents = gateway.app.get<Connection>(getConnectionToken()).collection('agents');
    await agents.updateOne(
      { _id: bad as never },
      { $set: { 'dreaming.frequency': 'cron', 'dreaming.cron': '99 99 * * *' } },
    );
    await agents.updateOne(
      { _id: badZoneAgent as never },
      { $set: { 'dreaming.timezone': 'Mars/Olympus' } },
    );
    for (const id of [bad, badZoneAgent, good]) await endedSession(id);

    const outcomes = await scheduler.tick(at('2026-12-06T10:00:00Z'));
    await dreamer.runner.idle();
    // The good agent's dream started and ran.
    const started = forAgent(outcomes, good);
    expect(started).toHaveProperty('started');
    expect((await api.get(`/v1/dreams/${started.started}`)).body).toMatchObject({
      status: 'completed',
      trigger: 'schedule',
    });
    // The others were skipped, and each says why on GET /v1/agents/:id.
    expect(forAgent(outcomes, bad).failed).toContain('minute 99 is out of range 0-59');
    expect(forAgent(outcomes, badZoneAgent).failed).toContain('Mars/Olympus');
    const shown = (await api.get(`/v1/agents/${bad}`)).body;
    expect(shown.dreaming.lastScheduleError).toEqual({
      message: expect.stringMatching(
        /^scheduling failed: minute 99 is out of range 0-59; fix the agent's dreaming settings with PUT \/v1\/agents\//,
      ),
      at: '2026-12-06T10:00:00.000Z',
    });

    // Fixed through the API: the error is gone, and the agent is scheduled again.
    const fixed = await api.request('PATCH', `/v1/agents/${bad}`, {
      dreaming: { cron: '0 * * * *' },
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.dreaming.lastScheduleError).toBeUndefined();
    expect(forAgent(await scheduler.tick(at('2026-12-06T11:00:00Z')), bad)).toHaveProperty(
      'started',
    );
    await dreamer.runner.idle();
    // A stored zone the scheduler cannot use is refused on any change until it is fixed.
    const zoneStillBad = await api.request('PATCH', `/v1/agents/${badZoneAgent}`, {
      dreaming: { enabled: false },
    });
    expect(zoneStillBad.status).toBe(400);
    expect(
      (
        await api.request('PATCH', `/v1/agents/${badZoneAgent}`, {
          dreaming: { timezone: 'Europe/Paris' },
        })
      ).status,
    ).toBe(200);
  }, 120_000);

  it("the kill switch's agent scope is the tenant's own agents: another tenant's or an unknown one is a 404", async () => {
    const id = await agent({
      enabled: false,
      frequency: 'daily',
      timezone: 'UTC',
      publish: 'propose',
    });
    expect((await api.get(`/v1/dreaming/pause?agent_id=${id}`)).body).toMatchObject({
      scope: 'agent',
      agent_id: id,
      paused: false,
    });
    const other = await gateway.tenant();
    for (const res of [
      await other.get(`/v1/dreaming/pause?agent_id=${id}`),
      await other.put('/v1/dreaming/pause', { paused: true, agent_id: id }),
      await api.get('/v1/dreaming/pause?agent_id=agt_does_not_exist'),
      await api.put('/v1/dreaming/pause', { paused: true, agent_id: 'agt_does_not_exist' }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.type).toBe('not_found_error');
    }
    // The other tenant's attempt paused nothing.
    expect((await api.get(`/v1/dreaming/pause?agent_id=${id}`)).body.paused).toBe(false);
  });
});
