import { SUPPORT_DESK_RUBRIC, supportTasks, type SupportTask } from '@reverie/support-desk';
import { expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
// The runnable example agent, as a user runs it (REST only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runOfflineTicket } from '../../../examples/support-desk/offline-agent';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { ReverieRest } from '../../../examples/support-desk/reverie-rest';
// The real gateway and grader (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGrader, type RunningGrader } from '../../outcome-grader/test/grader.harness';
import { startDreamer, type RunningDreamer } from './dreamer.harness';

// Dream and report bodies as the API returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROLES = [{ name: 'coordinator' }, { name: 'billing' }, { name: 'account' }];

/**
 * A dream over sessions an external agent reported (issue 15), on the real stack: the offline
 * support-desk team (examples/support-desk) reports its tickets over REST, the outcome-grader
 * grades them against the agent's outcome definition, and the dreamer's ExternalDreamer learns
 * from them without a simulator. No model: the builtin reflector.
 */
describe('a dream over an external agent team’s sessions (gateway, grader, dreamer, Kafka, MongoDB)', () => {
  let gateway: RunningGateway;
  let grader: RunningGrader;
  let dreamer: RunningDreamer;
  let api: ApiClient;
  let rest: ReverieRest;

  beforeAll(async () => {
    gateway = await startGateway();
    grader = await startGrader(gateway.config.mongo.db);
    dreamer = await startDreamer(gateway.config.mongo.db, { DREAM_SWEEP_MS: '3600000' });
    api = await gateway.tenant(uniqueName('external-dream'));
    rest = new ReverieRest(api.baseUrl, api.apiKey ?? '');
  }, 120_000);

  afterAll(async () => {
    await dreamer?.close();
    await grader?.close();
    await gateway?.close();
  });

  /** Waits until the grader has a verdict for every session; returns them by session id. */
  const graded = (ids: readonly string[]) =>
    expectEventually(
      async () => {
        const out = new Map<string, Json>();
        for (const id of ids) {
          const r = await api.get(`/v1/sessions/${id}/outcome`);
          if (r.status !== 200) throw new Error(`session ${id} not graded yet (${r.status})`);
          out.set(id, r.body);
        }
        return out;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  const finished = (id: string) =>
    expectEventually(
      async () => {
        const d = (await api.get(`/v1/dreams/${id}`)).body;
        if (!['completed', 'failed', 'canceled'].includes(d.status))
          throw new Error(`dream ${id} is ${d.status} (${d.stage})`);
        return d as Json;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );

  it('learns playbook entries (guidance and a condition) from day-one sessions graded against the outcome definition, and skips sessions it cannot use, saying why', async () => {
    const agent = await api.post('/v1/agents', {
      name: uniqueName('support'),
      roles: ROLES,
      model: { provider: 'builtin' },
      dreaming: { publish: 'apply' },
    });
    expect(agent.status).toBe(201);
    const agentId = agent.body.id as string;
    expect((await api.put(`/v1/agents/${agentId}/outcome`, SUPPORT_DESK_RUBRIC)).status).toBe(200);

    // Day one: the train and validation tickets (test tickets are never shown to a dream).
    const tasks: SupportTask[] = [...supportTasks(16, 'train'), ...supportTasks(16, 'validation')];
    const sessionIds: string[] = [];
    for (const task of tasks)
      sessionIds.push((await runOfflineTicket(rest, agentId, task)).sessionId);

    // Bad input: a session that reports nothing, and one whose events the gateway refuses
    // (an event type it does not know), which the agent then ends anyway.
    const empty = await api.post('/v1/sessions', { agentId, title: 'reported nothing' });
    expect((await api.post(`/v1/sessions/${empty.body.id}/end`, { status: 'failed' })).status).toBe(
      200,
    );
    const odd = await api.post('/v1/sessions', { agentId, title: 'unknown event types' });
    const refused = await api.post(`/v1/sessions/${odd.body.id}/events`, {
      events: [
        { clientEventId: 'o1', type: 'observation', data: { note: 'no step' } },
        { clientEventId: 'o2', type: 'telemetry', data: { cpu: 0.4 } },
      ],
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.error)).toContain('events[1]');
    expect((await api.post(`/v1/sessions/${odd.body.id}/end`, { status: 'failed' })).status).toBe(
      200,
    );

    // The grader grades each ticket against the agent's outcome definition. A dream reviews only
    // graded sessions, so wait for the two bad-input sessions' verdicts as well: their ends travel
    // on other partitions than the tickets' (CI on 45d31d3, on a loaded machine, counted 37 of 39 when it did not).
    const verdicts = await graded(sessionIds);
    await graded([empty.body.id, odd.body.id]);
    const failed = sessionIds.filter((id) => verdicts.get(id).result !== 'satisfied');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(sessionIds.length);

    const created = await api.post('/v1/dreams', { agent_id: agentId });
    expect(created.status).toBe(201);
    const dream = await finished(created.body.id);
    expect(dream).toMatchObject({ status: 'completed', environment: 'external', error: null });
    expect(dream.sessions_reviewed).toBe(sessionIds.length + 2);

    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    // The skipped sessions, each with why.
    const skipped = report.notes.find((n: string) => /skipped/.test(n)) ?? '';
    expect(skipped).toContain(empty.body.id);
    expect(skipped).toContain(odd.body.id);
    expect(skipped).toMatch(/no events/);
    // The localised failures: failed train sessions, each to a step and an actor (a role).
    const localised = report.localisations.filter((l: Json) => l.step !== null);
    expect(localised.length).toBeGreaterThan(0);
    for (const l of localised) {
      expect(failed).toContain(l.sessionId);
      expect(['coordinator', 'billing', 'account']).toContain(l.role);
      expect(l.confidence).toBeGreaterThan(0);
    }
    expect(localised.map((l: Json) => l.detail).join('\n')).toMatch(
      /PRECONDITION_FAILED|RATE_LIMITED|INVALID_ARGUMENT|CONFLICT/,
    );
    // The offline gate (no simulator): candidates checked on held-out sessions.
    expect(report.validation).toMatchObject({ split: 'validation', promote: true });
    expect(dream.outputs.length).toBeGreaterThan(0);

    // A new playbook version per role with learned entries: readable guidance and a
    // machine-checkable condition. Promoted by the offline gate (`active`), or, for a dreamer
    // without a simulator where canary trials run, proposed and put on a trial.
    const learned: Json[] = [];
    for (const out of dream.outputs as Json[]) {
      const v = await api.get(
        `/v1/agents/${agentId}/playbook/versions/${out.version}?role=${out.role}`,
      );
      expect(v.status).toBe(200);
      expect(['active', 'proposed']).toContain(v.body.status);
      learned.push(...v.body.entries.filter((e: Json) => e.status === 'active'));
    }
    expect(learned.length).toBeGreaterThan(0);
    for (const e of learned) {
      expect(e.guidance.length).toBeGreaterThan(10);
      expect(e.rule?.when).toBeDefined();
      expect(e.rule?.then?.action).toMatch(/call_first|reshape_arg|retry_after/);
    }
    if (dream.outputs.some((o: Json) => o.status === 'proposed')) {
      const trials = await api.get(`/v1/agents/${agentId}/trials`);
      expect(trials.status).toBe(200);
      expect(trials.body.data[0]).toMatchObject({ dream_id: dream.id, status: 'running' });
      // On trial, not waiting for a person's review: the output names its trial.
      for (const o of dream.outputs.filter((x: Json) => x.status === 'proposed'))
        expect(o.trial_id).toBe(trials.body.data[0].id);
    }
  }, 180_000);
});
