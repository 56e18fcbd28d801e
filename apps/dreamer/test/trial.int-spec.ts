import { ReverieClient } from '@reverie/client';
import { SCHEMA_VERSION, TOPICS, type OutcomeEvaluated } from '@reverie/contracts';
import { createProducer, EventPublisher } from '@reverie/kafka';
import {
  PlaybookTrialWriter,
  PlaybookVersionWriter,
  playbookIdFor,
} from '@reverie/playbooks-data-access';
import { applyDeltas, emptyPlaybook, type PlaybookVersion } from '@reverie/playbooks-domain';
import { anAgent, expectEventually, type ApiClient } from '@reverie/testing';
import { startGroupAtEnd, testKafka, uniqueName } from '@reverie/testing/integration';
import { startWebhookReceiver, type WebhookReceiver } from '@reverie/webhooks-feature/testing';
import type { Producer } from 'kafkajs';
// The real gateway (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
import { aDream, startDreamer, type RunningDreamer } from './dreamer.harness';

// API bodies as the gateway returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/**
 * Canary trials on the real stack: sessions are served through the gateway's REST API, the
 * dreamer consumes the verdicts from Kafka and decides, MongoDB holds the trial, and a receiver
 * gets the webhooks. The grader is not run: its verdicts are published to the outcomes topic as
 * it would (a verdict that depends on the arm stands for a version made worse or better).
 */
describe('canary trials through the real stack (gateway, Kafka, dreamer, MongoDB, a receiver)', () => {
  let gateway: RunningGateway;
  let dreamer: RunningDreamer;
  let producer: Producer;
  let events: EventPublisher;
  let api: ApiClient;
  let receiver: WebhookReceiver;
  const tenantId = uniqueName('trials');

  beforeAll(async () => {
    gateway = await startGateway({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
    const groupId = uniqueName('test-dreamer-trials');
    for (const topic of [TOPICS.dreams, TOPICS.outcomes, TOPICS.playbookVersions])
      await startGroupAtEnd(groupId, topic);
    dreamer = await startDreamer(gateway.config.mongo.db, {
      KAFKA_GROUP_ID: groupId,
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      DREAM_SWEEP_MS: '3600000',
    });
    api = await gateway.tenant(tenantId);
    producer = createProducer(testKafka());
    await producer.connect();
    events = new EventPublisher(producer);
    receiver = await startWebhookReceiver();
    const created = await api.post('/v1/webhooks', {
      url: receiver.url,
      event_types: ['playbook.trial_started', 'playbook.trial_ended'],
    });
    expect(created.status).toBe(201);
    receiver.useSecret(created.body.secret);
  }, 120_000);

  afterAll(async () => {
    await producer?.disconnect();
    await dreamer?.close();
    await gateway?.close();
    await receiver?.close();
  });

  /** An agent with an active v1 and a dream's proposal v2 on trial (as a dream's publish stage does). */
  async function agentOnTrial(publish: 'apply' | 'propose', maxDiscordant = 12, maxPairs = 300) {
    const res = await api.post('/v1/agents', anAgent({ roles: [] }));
    expect(res.status).toBe(201);
    const agentId: string = res.body.id;
    const playbookId = playbookIdFor(agentId, null);
    const writer = dreamer.app.get(PlaybookVersionWriter);
    const dreamId = uniqueName('drm');
    const entry = (title: string) => ({
      kind: 'add' as const,
      entry: {
        title,
        guidance: `${title}: check the order's status before refunding it.`,
        rationale: 'Refunds of unchecked orders failed.',
      },
    });
    const now = new Date().toISOString();
    const v1 = applyDeltas(
      emptyPlaybook({ playbookId, agentId }),
      [entry('Check first')],
      { kind: 'person', id: 'usr_ops' },
      now,
    ) as PlaybookVersion;
    await writer.activate(tenantId, v1);
    const v2 = applyDeltas(v1, [entry('Retry later')], { kind: 'dream', id: dreamId }, now, {
      version: 2,
      status: 'proposed',
    }) as PlaybookVersion;
    await writer.propose(tenantId, v2);
    const trial = await dreamer.app.get(PlaybookTrialWriter).start(tenantId, {
      agentId,
      dreamId,
      publish,
      playbooks: [{ role: null, playbookId, candidate: 2, control: 1 }],
      share: 0.5,
      sprt: { maxDiscordant, maxPairs },
    });
    return { agentId, trialId: trial._id, dreamId };
  }

  /** A verdict as the grader publishes it. */
  function verdict(agentId: string, sessionId: string, satisfied: boolean): OutcomeEvaluated {
    return {
      id: uniqueName('msg'),
      type: 'outcome.evaluated',
      tenantId,
      agentId,
      sessionId,
      occurredAt: new Date().toISOString(),
      schemaVersion: SCHEMA_VERSION,
      payload: {
        outcomeId: uniqueName('out'),
        iteration: 1,
        definitionVersion: 1,
        maxIterations: 1,
        result: satisfied ? 'satisfied' : 'failed',
        score: satisfied ? 1 : 0,
        criteria: [],
        failedCriteria: satisfied ? [] : ['completed'],
        summary: satisfied ? 'completed' : 'the session failed',
        judgeUsage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
        signals: [],
        regrade: false,
      },
    };
  }

  /**
   * Runs sessions through the API until the trial ends: each is served a version, ends, and is
   * graded `satisfied` when `succeeds(arm)`. Every verdict is published twice (a redelivery).
   * Each served session keeps when its verdict was given (`gradedAt`).
   */
  async function runUntilDecided(
    agentId: string,
    trialId: string,
    succeeds: (arm: string) => boolean,
  ) {
    const served: { arm: string; version: number; gradedAt: number }[] = [];
    for (let i = 0; i < 80; i++) {
      const started = await api.post('/v1/sessions', { agentId, title: `ticket ${i}` });
      expect(started.status).toBe(201);
      const [own] = started.body.playbooks as Json[];
      if (!own.trial) break; // the trial ended: no arm any more
      expect(own.trial.trialId).toBe(trialId);
      expect(started.body.trial).toEqual(own.trial);
      const sessionId = started.body.id;
      await api.post(`/v1/sessions/${sessionId}/end`, { status: 'completed' });
      const v = verdict(agentId, sessionId, succeeds(own.trial.arm));
      served.push({ arm: own.trial.arm, version: own.version, gradedAt: Date.parse(v.occurredAt) });
      await events.publish(TOPICS.outcomes, [v, v]);
      const trial = await expectEventually(
        async () => {
          const t = (await api.get(`/v1/agents/${agentId}/trials/${trialId}`)).body;
          const graded = t.arms.candidate.graded + t.arms.control.graded;
          if (graded < served.length && t.status === 'running')
            throw new Error(`${graded} of ${served.length} verdicts counted`);
          return t;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      if (trial.status !== 'running') break;
    }
    return served;
  }

  const trialWebhooks = (trialId: string) =>
    expectEventually(
      async () => {
        const got = receiver.received
          .map((r) => r.payload)
          .filter((p: Json) => p?.data?.trial_id === trialId);
        if (got.length < 2) throw new Error(`${got.length} trial webhook(s) so far`);
        return got as Json[];
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  it('rolls back a candidate made worse on purpose, counts each session once, and says so on the webhooks', async () => {
    const { agentId, trialId } = await agentOnTrial('apply');
    const served = await runUntilDecided(agentId, trialId, (arm) => arm === 'control');

    // Each arm was served its own version.
    expect(served.some((s) => s.arm === 'candidate')).toBe(true);
    for (const s of served) expect(s.version).toBe(s.arm === 'candidate' ? 2 : 1);

    const trial = (await api.get(`/v1/agents/${agentId}/trials/${trialId}`)).body;
    expect(trial.status).toBe('rolled_back');
    expect(trial.decision.decision).toBe('rollback');
    expect(trial.decision.reason).toMatch(/not better than the current version/);
    expect(trial.arms.candidate.succeeded).toBe(0);
    // Every served session ran in its arm. The trial decides after counting a verdict, and a
    // session may start while it does (before it ends): that session's verdict comes after the
    // decision and is not counted. So the trial counts exactly the verdicts given up to its
    // decision, each once although each was published twice.
    expect(trial.arms.candidate.sessions + trial.arms.control.sessions).toBe(served.length);
    const decidedAt = Date.parse(trial.decision.decided_at);
    const beforeDecision = served.filter((s) => s.gradedAt <= decidedAt).length;
    expect(served.length - beforeDecision).toBeLessThanOrEqual(1);
    expect(trial.arms.candidate.graded + trial.arms.control.graded).toBe(beforeDecision);

    // The candidate is rejected, the control still serves, and new sessions run outside the trial.
    const v2 = (await api.get(`/v1/agents/${agentId}/playbook/versions/2`)).body;
    expect(v2.status).toBe('rejected');
    expect((await api.get(`/v1/agents/${agentId}/playbook`)).body.version).toBe(1);
    const after = await api.post('/v1/sessions', { agentId });
    expect(after.body.playbooks[0]).toMatchObject({ version: 1 });
    expect(after.body.playbooks[0].trial).toBeUndefined();

    // The typed client reads the same.
    const client = new ReverieClient({ baseUrl: api.baseUrl, apiKey: api.apiKey ?? '' });
    const listed = await client.trials.list(agentId);
    expect(listed.data.map((t) => t.id)).toEqual([trialId]);
    expect(listed).toMatchObject({ has_more: false, last_started_at: listed.data[0].started_at });
    expect(await client.trials.get(agentId, trialId)).toEqual(trial);

    const hooks = await trialWebhooks(trialId);
    expect(hooks.map((h) => h.type).sort()).toEqual([
      'playbook.trial_ended',
      'playbook.trial_started',
    ]);
    expect(hooks.find((h) => h.type === 'playbook.trial_ended').data).toMatchObject({
      status: 'rolled_back',
      agent_id: agentId,
      playbooks: [{ role: null, candidate: 2, control: 1 }],
    });
  }, 180_000);

  it('promotes a better candidate by itself when the agent publishes apply', async () => {
    const { agentId, trialId, dreamId } = await agentOnTrial('apply');
    await runUntilDecided(agentId, trialId, (arm) => arm === 'candidate');
    const trial = (await api.get(`/v1/agents/${agentId}/trials/${trialId}`)).body;
    expect(trial.status).toBe('promoted');

    // The dream's report follows its trial up (the dream stored as a finished dream would be).
    await dreamer.dreams.create(aDream({ _id: dreamId, tenantId, agentId }));
    await dreamer.dreams.claim(dreamId, 'test-owner', 60_000);
    await dreamer.dreams.finish(dreamId, 'test-owner', {
      status: 'completed',
      report: { notes: [] },
    });
    const report = (await api.get(`/v1/dreams/${dreamId}/report?format=json`)).body;
    expect(report.trials).toEqual([trial]);
    expect(trial.decision.candidate_wins).toBe(trial.decision.discordant);
    const active = (await api.get(`/v1/agents/${agentId}/playbook`)).body;
    expect(active.version).toBe(2);
    const hooks = await trialWebhooks(trialId);
    expect(hooks.find((h) => h.type === 'playbook.trial_ended').data.status).toBe('promoted');
  }, 180_000);

  it('leaves a better candidate for a person when the agent publishes propose', async () => {
    const { agentId, trialId } = await agentOnTrial('propose');
    await runUntilDecided(agentId, trialId, (arm) => arm === 'candidate');
    const trial = (await api.get(`/v1/agents/${agentId}/trials/${trialId}`)).body;
    expect(trial.status).toBe('awaiting_review');
    expect((await api.get(`/v1/agents/${agentId}/playbook`)).body.version).toBe(1);
    expect((await api.get(`/v1/agents/${agentId}/playbook/versions/2`)).body.status).toBe(
      'proposed',
    );
  }, 180_000);

  it('rolls back a candidate as good as the control after maxPairs pairs with no discordant one', async () => {
    const { agentId, trialId } = await agentOnTrial('apply', 4, 6);
    await runUntilDecided(agentId, trialId, () => true);
    const trial = (await api.get(`/v1/agents/${agentId}/trials/${trialId}`)).body;
    expect(trial.status).toBe('rolled_back');
    expect(trial.rule).toMatchObject({ max_discordant: 4, max_pairs: 6 });
    expect(trial.decision).toMatchObject({ decision: 'rollback', pairs: 6, discordant: 0 });
    expect(trial.decision.reason).toMatch(/after 6 graded pairs: undecided, no evidence/);
    expect((await api.get(`/v1/agents/${agentId}/playbook`)).body.version).toBe(1);
    expect((await api.get(`/v1/agents/${agentId}/playbook/versions/2`)).body.status).toBe(
      'rejected',
    );
  }, 180_000);

  it('is stopped by the kill switch: the control is served again', async () => {
    const { agentId, trialId } = await agentOnTrial('apply');
    const paused = await api.request('PUT', '/v1/dreaming/pause', {
      paused: true,
      agent_id: agentId,
      reason: 'incident',
    });
    expect(paused.status).toBe(200);
    expect(paused.body.stopped_trials).toEqual([trialId]);
    const trial = (await api.get(`/v1/agents/${agentId}/trials/${trialId}`)).body;
    expect(trial.status).toBe('stopped');
    expect(trial.decision.reason).toMatch(/kill switch: incident/);
    for (let i = 0; i < 4; i++) {
      const s = await api.post('/v1/sessions', { agentId });
      expect(s.body.playbooks[0].version).toBe(1);
      expect(s.body.trial).toBeNull();
    }
  }, 60_000);

  it('answers 404 for another tenant and for an unknown trial', async () => {
    const { agentId, trialId } = await agentOnTrial('apply');
    const other = await gateway.tenant();
    expect((await other.get(`/v1/agents/${agentId}/trials`)).status).toBe(404);
    expect((await other.get(`/v1/agents/${agentId}/trials/${trialId}`)).status).toBe(404);
    const missing = await api.get(`/v1/agents/${agentId}/trials/trl_nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('not_found_error');
    const bad = await api.get(`/v1/agents/${agentId}/trials?status=maybe`);
    expect(bad.status).toBe(400);
  }, 60_000);
});
