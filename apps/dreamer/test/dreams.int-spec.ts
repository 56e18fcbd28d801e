import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '@reverie/ci-log-triage';
import { DreamSlotRepository } from '@reverie/dreaming-data-access';
import { totalTokens, ZERO_USAGE } from '@reverie/dreaming-domain';
import { DreamerSweep } from '@reverie/dreaming-feature';
import { anAgent, BUNDLED_DATASETS_DIR, expectEventually, type ApiClient } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
// The real gateway and orchestrator (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  dropDatabase,
  orchestratorEnv,
  startOrchestrator,
  type RunningOrchestrator,
} from '../../orchestrator/test/orchestrator.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGrader, type RunningGrader } from '../../outcome-grader/test/grader.harness';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
// The reverie CLI, in-process against the real gateway.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { main as reverie } from '../../../tools/cli/src/main';
import { aDream, startDreamer, type RunningDreamer } from './dreamer.harness';

// Dream and report bodies as the API returns them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ROLES = [{ name: 'commander' }, { name: 'detector' }, { name: 'navigator' }];

describe('dreams through the real stack (gateway, Kafka, orchestrator, grader, dreamer, MongoDB)', () => {
  let gateway: RunningGateway;
  let orchestrator: RunningOrchestrator;
  let grader: RunningGrader;
  let dreamer: RunningDreamer;
  let api: ApiClient;
  let messages: MessagesServer;
  let dreamerEnv: Record<string, string>;
  const tenantId = uniqueName('dreams');
  /** The model reflector's answer: one rewritten entry. */
  const entriesReply = () =>
    toolUseReply([
      {
        name: 'write_entries',
        input: {
          entries: [
            {
              index: 0,
              title: 'Save fuel for the final descent',
              guidance: 'Keep a reserve of propellant for the last hundred metres.',
              rationale: 'Landings that spent it early ran dry before touchdown.',
            },
          ],
        },
      },
    ]);

  beforeAll(async () => {
    gateway = await startGateway();
    orchestrator = await startOrchestrator(await orchestratorEnv());
    grader = await startGrader(gateway.config.mongo.db);
    // The model reflector's remote model is mocked by a local Messages API (real SDK, real HTTP).
    messages = await MessagesServer.start({ respond: () => entriesReply() });
    dreamerEnv = {
      ANTHROPIC_API_KEY: messages.apiKey,
      ANTHROPIC_BASE_URL: messages.baseURL,
      // Sandbox flights run several times slower inside Jest than in a service process: keep
      // the budget small (the pipeline is the same).
      DREAM_MAX_SIMULATIONS: '800',
      // Sweeps are driven by the tests (runner.sweep()), not by a timer.
      DREAM_SWEEP_MS: '3600000',
      DREAM_MAX_ATTEMPTS: '2',
    };
    dreamer = await startDreamer(gateway.config.mongo.db, dreamerEnv);
    api = await gateway.tenant(tenantId);
  }, 120_000);

  afterAll(async () => {
    await dreamer?.close();
    await grader?.close();
    await messages?.close();
    if (orchestrator) {
      await dropDatabase(orchestrator);
      await orchestrator.close();
    }
    await gateway?.close();
  });

  const lunarAgent = async (publish: 'apply' | 'propose') => {
    const agent = await api.post('/v1/agents', anAgent({ roles: ROLES, dreaming: { publish } }));
    expect(agent.status).toBe(201);
    // The operator's objective, which the dream optimises and gates on: a safe landing (one
    // attempt, so the grader sends nothing back for revision).
    const outcome = await api.put(`/v1/agents/${agent.body.id}/outcome`, {
      description: 'Land safely',
      environment: 'lunar-lander',
      maxIterations: 1,
      criteria: [
        {
          id: 'safe',
          kind: 'bound',
          path: 'touchdown.safe',
          op: 'eq',
          value: true,
          required: true,
        },
      ],
    });
    expect(outcome.status).toBe(200);
    return agent.body.id as string;
  };
  /**
   * Runs `tasks` as one batch and waits for all of them, and for the grader's verdict on each when
   * the agent has an outcome definition (a dream reviews only graded ones).
   */
  const runBatch = async (agentId: string, run: Json, tasks: Json[]) => {
    const batch = await api.post('/v1/batches', { agentId, run, tasks });
    expect(batch.status).toBe(201);
    const graded = (await api.get(`/v1/agents/${agentId}/outcome`)).status === 200;
    await expectEventually(
      async () => {
        const b = (await api.get(`/v1/batches/${batch.body.id}`)).body;
        if (!b.done) throw new Error(`batch not done: ${JSON.stringify(b.counts)}`);
        for (const session of graded ? (b.sessions as Json[]) : [])
          if ((await api.get(`/v1/sessions/${session.id}/outcome`)).status !== 200)
            throw new Error(`session ${session.id} not graded yet`);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  };
  /** Lands every scenario of a family (see runBatch). */
  const landFamily = (agentId: string, family: string) =>
    runBatch(
      agentId,
      { environment: 'lunar-lander' },
      Array.from({ length: 20 }, (_, index) => ({ family, index })),
    );
  /** An agent with a per-dream token budget (no outcome definition), its downrange day flown. */
  const budgetedAgent = async (tokensPerDream: number) => {
    const agent = await api.post(
      '/v1/agents',
      anAgent({ roles: ROLES, dreaming: { publish: 'apply', budget: { tokensPerDream } } }),
    );
    const agentId = agent.body.id as string;
    await landFamily(agentId, 'downrange');
    return agentId;
  };
  /**
   * Runs a new dream of `agentId` on a second replica until it reaches one of `stages`, then
   * closes that replica (what SIGTERM does, enableShutdownHooks): the dream is handed back.
   */
  const handBackAt = async (
    id: string,
    agentId: string,
    stages: readonly string[],
    options?: Parameters<typeof aDream>[1],
  ) => {
    const replica = await startDreamer(gateway.config.mongo.db, dreamerEnv);
    try {
      await replica.dreams.create(aDream({ _id: id, tenantId, agentId }, options));
      expect(await replica.runner.request(id)).toBe(true);
      await expectEventually(
        async () => {
          const d = await replica.dreams.findById(tenantId, id);
          if (d?.status !== 'running' || !stages.includes(d.stage ?? ''))
            throw new Error(`not at ${stages.join(' or ')} yet: ${d?.status} (${d?.stage})`);
        },
        { timeoutMs: 120_000, intervalMs: 20 },
      );
    } finally {
      await replica.app.close();
    }
  };
  /** `reverie <argv>` against the gateway with this tenant's key: exit code, output, dream id. */
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const code = await reverie([...argv, '--url', api.baseUrl, '--key', api.apiKey ?? ''], {
      out: (line) => out.push(line),
      err: () => undefined,
    });
    const text = out.join('\n');
    return { code, out: text, dreamId: /\b(drm_\w+)/.exec(text)?.[1] ?? '' };
  };
  const finished = (id: string, timeoutMs = 120_000) =>
    expectEventually(
      async () => {
        const d = (await api.get(`/v1/dreams/${id}`)).body;
        if (!['completed', 'failed', 'canceled'].includes(d.status))
          throw new Error(`dream ${id} is ${d.status} (${d.stage})`);
        return d as Json;
      },
      { timeoutMs, intervalMs: 250 },
    );

  it('a dream reviews the sessions, localises failures, gates on validation against the outcome definition, and applies only what passes', async () => {
    const agentId = await lunarAgent('apply');
    // boulder-field (hazards that replay can localise) and downrange (fuel and aborts): the
    // search finds rules that also land held-out scenarios (deterministic: same scenarios, budget).
    await landFamily(agentId, 'boulder-field');
    await landFamily(agentId, 'downrange');
    const created = await api.post('/v1/dreams', { agent_id: agentId });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'dream', status: 'pending', agent_id: agentId });

    // One unfinished dream per agent.
    const second = await api.post('/v1/dreams', { agent_id: agentId });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain(created.body.id);

    const dream = await finished(created.body.id);
    expect(dream).toMatchObject({
      status: 'completed',
      sessions_reviewed: 40,
      environment: 'lunar-lander',
      error: null,
    });
    expect(dream.simulations).toBeGreaterThan(0);

    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    expect(report.stages.map((s: Json) => s.stage)).toEqual([
      'collect',
      'localise',
      'reflect',
      'curate',
      'validate',
      'publish',
      'report',
    ]);
    expect(report.failedSessions).toBeGreaterThan(0);
    // Every failed training landing is localised to a decision step and a role (by replay, or by
    // divergence from a successful flight of its family).
    const failedTraining = report.localisations.filter((l: Json) => l.step !== null);
    expect(failedTraining.length).toBeGreaterThan(0);
    for (const l of failedTraining) {
      expect(l.step).toBeGreaterThan(0);
      expect(['commander', 'detector', 'navigator']).toContain(l.role);
      expect(['counterfactual', 'divergence']).toContain(l.method);
    }
    expect(report.patterns.length).toBeGreaterThan(0);
    // Chosen and gated on the validation split, against the agent's own outcome definition,
    // criterion by criterion; validation and test scenarios were never learned from.
    const v = report.validation;
    expect(v.split).toBe('validation');
    expect(v.heldOut).toBeGreaterThan(0);
    expect(v.criteria.map((c: Json) => c.id)).toEqual(['safe']);
    const learnedFrom = new Set(report.localisations.map((l: Json) => l.task));
    for (const id of [...v.regressions, ...v.improvements]) expect(learnedFrom.has(id)).toBe(false);
    expect(report.test).toMatchObject({ split: 'test' });
    // A gain on validation, or (LANDER_GATE's saturatedTrainGain) a validation split satisfied in
    // full before and after, with the search's training flights as the gain.
    const saturated = v.before === v.heldOut && v.after === v.heldOut;
    expect(v.promote).toBe(
      (v.after >= v.before + 1 && v.regressions.length === 0) ||
        (saturated && /validation saturated/.test(v.reason)),
    );

    let flownSince = 0;
    if (!v.promote) {
      // Refused: the report says why, and no playbook version was made.
      expect(v.reason).toMatch(/refused/);
      expect(dream.outputs).toEqual([]);
      for (const role of ROLES.map((r) => r.name)) {
        const pb = (await api.get(`/v1/agents/${agentId}/playbook?role=${role}`)).body;
        expect(pb.version).toBe(0);
      }
    } else {
      expect(dream.outputs.length).toBeGreaterThan(0);
      for (const out of dream.outputs) {
        expect(out).toMatchObject({ type: 'playbook', status: 'active' });
        const pb = (await api.get(`/v1/agents/${agentId}/playbook?role=${out.role}`)).body;
        expect(pb).toMatchObject({ version: out.version, author: { kind: 'dream', id: dream.id } });
        // Every entry carries its rule and evidence from the reviewed sessions.
        for (const e of pb.entries) {
          expect(e.rule).toBeDefined();
          expect(e.evidence.length).toBeGreaterThan(0);
        }
        // What it was learned from and chosen on, for `reverie eval` on the operator's own
        // scenarios: the training scenarios it localised, the validation ones it gated on.
        expect(pb.learnedFrom).toHaveLength(1);
        const [record] = pb.learnedFrom;
        expect(record).toMatchObject({
          environment: 'lunar-lander',
          input: `sessions of agent ${agentId}`,
        });
        const trainIds = new Set(record.train.map((t: Json) => t.id));
        const validationIds = new Set(record.validation.map((t: Json) => t.id));
        for (const id of learnedFrom) expect(trainIds.has(id)).toBe(true);
        expect(validationIds.size).toBe(v.heldOut);
        for (const id of v.improvements) expect(validationIds.has(id)).toBe(true);
      }
      // The orchestrator picked the new versions up from the compacted topic: the next landing
      // flies them (a landing that started before it had them is flown again).
      await expectEventually(
        async () => {
          flownSince += 1;
          const next = await api.post('/v1/sessions', {
            agentId,
            run: { environment: 'lunar-lander', task: { family: 'downrange', index: 0 } },
          });
          const s = await expectEventually(
            async () => {
              const got = (await api.get(`/v1/sessions/${next.body.id}`)).body;
              if (!got.endedAt) throw new Error('not ended');
              // Graded too: the next dream reviews it only then.
              if ((await api.get(`/v1/sessions/${next.body.id}/outcome`)).status !== 200)
                throw new Error('not graded');
              return got;
            },
            { timeoutMs: 60_000, intervalMs: 250 },
          );
          for (const out of dream.outputs)
            expect(s.rolePlaybooks[out.role]?.version).toBe(out.version);
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );
    }

    const md = await api.get<string>(`/v1/dreams/${dream.id}/report?format=markdown`);
    expect(md.status).toBe(200);
    const text = md.body;
    expect(text).toContain(dream.id);
    expect(text).toMatch(/Patterns/);

    // `reverie dream` asks for the next one and prints its summary.
    const again = await cli('dream', '--agent', agentId);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(
      new RegExp(`^dream ${again.dreamId} completed: ${flownSince} session\\(s\\) reviewed`),
    );
    // Since the last dream: only the landings flown after it.
    expect(await finished(again.dreamId)).toMatchObject({
      status: 'completed',
      sessions_reviewed: flownSince,
    });
    // And then nothing new: the next dream reviews nothing and changes nothing.
    const third = await api.post('/v1/dreams', { agent_id: agentId });
    const idle = await finished(third.body.id);
    expect(idle).toMatchObject({ status: 'completed', sessions_reviewed: 0, outputs: [] });
  }, 300_000);

  it("a triage dream's playbook says which logs it learned from and chose on, and eval on the dataset leaves the others to judge it by", async () => {
    const agent = await api.post(
      '/v1/agents',
      anAgent({ model: { provider: 'builtin' }, dreaming: { publish: 'apply' } }),
    );
    expect(agent.status).toBe(201);
    const agentId: string = agent.body.id;
    // Line F1 at least 0.8, graded once (no revisions): day one satisfies fewer validation logs
    // than the first dream's rules do, so the dream promotes. (Under the demo's definition, which
    // requires recall, day one already satisfies every validation log and the dream's trim of
    // the answer is refused for the recall it costs.)
    const definition = {
      description: 'Answer with the lines of the failed build log that explain the failure',
      environment: 'ci-log-triage',
      maxIterations: 1,
      criteria: [{ id: 'line-f1', kind: 'label_match', metric: 'f1', min: 0.8, required: true }],
    };
    expect((await api.put(`/v1/agents/${agentId}/outcome`, definition)).status).toBe(200);
    const dataset = resolve(BUNDLED_DATASETS_DIR, 'ci-breakages');
    const cases = await loadDataset(dataset);
    await runBatch(
      agentId,
      { environment: 'ci-log-triage' },
      cases.map((c) => ({ caseId: c.id })),
    );
    const dream = await finished((await api.post('/v1/dreams', { agent_id: agentId })).body.id);
    expect(dream).toMatchObject({ status: 'completed', sessions_reviewed: cases.length });
    expect(dream.outputs).toEqual([expect.objectContaining({ status: 'active', version: 1 })]);

    const pb = (await api.get(`/v1/agents/${agentId}/playbook`)).body;
    expect(pb.learnedFrom).toEqual([
      {
        environment: 'ci-log-triage',
        input: `sessions of agent ${agentId}`,
        train: expect.any(Array),
        validation: expect.any(Array),
      },
    ]);
    const [record] = pb.learnedFrom;
    const ids = (refs: Json[]) => refs.map((t) => t.id as string).sort();
    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    expect(record.validation).toHaveLength(report.validation.heldOut);
    expect(ids(record.train)).toHaveLength(
      cases.length - report.validation.heldOut - report.test.before.tasks,
    );

    // The file as GET answers it (`reverie playbook`), scored offline on the same dataset: eval
    // names the logs the dream learned from and chose on (by content), and leaves the test split
    // to judge it by.
    const dir = mkdtempSync(join(tmpdir(), 'reverie-learned-'));
    const file = join(dir, 'playbook.json');
    const fetched = await cli('playbook', '--agent', agentId, '--out', file);
    expect(fetched.code).toBe(0);
    expect(fetched.out).toContain(
      `learned from ${record.train.length} training and chose on ${record.validation.length} validation task(s) of ci-log-triage (sessions of agent ${agentId})`,
    );
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(pb);
    const out: string[] = [];
    const code = await reverie(
      ['eval', 'triage', '--cases', dataset, '--playbook', file, '--json'],
      {
        out: (line) => out.push(line),
        err: () => undefined,
      },
    );
    expect(code).toBe(0);
    const seen = JSON.parse(out.join('\n')).playbook.seen;
    expect(seen.train).toEqual(ids(record.train));
    expect(seen.validation).toEqual(ids(record.validation));
    expect(seen.heldOut).toHaveLength(report.test.before.tasks);
    expect(seen.inputs).toEqual([`sessions of agent ${agentId}`]);
  }, 300_000);

  it('with publish "propose" what passes the gate waits for a person, who approves it', async () => {
    const agentId = await lunarAgent('propose');
    await landFamily(agentId, 'boulder-field');
    await landFamily(agentId, 'downrange');
    const created = await api.post('/v1/dreams', { agent_id: agentId });
    const dream = await finished(created.body.id);
    expect(dream.status).toBe('completed');
    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    // A refused candidate proposes nothing; a promoted one waits for a person.
    expect(dream.outputs.length > 0).toBe(report.validation.promote);
    for (const out of dream.outputs) {
      expect(out.status).toBe('proposed');
      const active = (await api.get(`/v1/agents/${agentId}/playbook?role=${out.role}`)).body;
      expect(active.version).toBe(0);
      const approved = await api.post(
        `/v1/agents/${agentId}/playbook/versions/${out.version}/approve?role=${out.role}`,
        {},
      );
      expect(approved.status).toBe(200);
      const now = (await api.get(`/v1/agents/${agentId}/playbook?role=${out.role}`)).body;
      expect(now).toMatchObject({ version: out.version, author: { kind: 'dream', id: dream.id } });
    }
  }, 300_000);

  it("a dream whose model reflector spends past the agent's per-dream token budget stops at the next stage boundary", async () => {
    const agentId = await budgetedAgent(20_000);
    // The request fits the budget as estimated; the answer costs more than the estimate.
    messages.respondWith(() => ({ ...entriesReply(), usage: { input_tokens: 25_000 } }));
    // Asked for with `reverie dream`, which fails with what the dream did before it stopped.
    const run = await cli(
      'dream',
      '--agent',
      agentId,
      '--provider',
      'anthropic',
      '--model',
      'claude-dreamer',
    );
    expect(run.code).toBe(1);
    expect(run.out).toMatch(new RegExp(`^dream ${run.dreamId} failed: budget_exceeded: `));
    expect(run.out).toMatch(/^ {2}stage {4}reflect: /m);
    expect(run.out).toMatch(/^ {2}note {5}.*stopped before the curate stage; nothing published$/m);
    const dream = await finished(run.dreamId);
    expect(dream).toMatchObject({
      status: 'failed',
      error: { type: 'budget_exceeded' },
      outputs: [],
    });
    expect(dream.error.message).toMatch(/budget of 20000; stopped before the curate stage/);
    // The tokens are the model reflector's, as the local Messages API counted them.
    expect(dream.usage.input_tokens).toBe(25_000);
    expect(messages.requests.length).toBeGreaterThan(0);
    const sent = JSON.stringify(messages.requests.at(-1)?.body);
    expect(sent).toContain('write_entries');
    // Nothing was published: the playbook is untouched.
    for (const role of ['commander', 'detector', 'navigator'])
      expect((await api.get(`/v1/agents/${agentId}/playbook?role=${role}`)).body.version).toBe(0);
    // It still leaves a report of what it did before it stopped, and what that cost.
    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    expect(report).toMatchObject({
      status: 'failed',
      environment: 'lunar-lander',
      sessionsReviewed: 20,
      publication: null,
      usage: dream.usage,
      endedAt: expect.any(String),
    });
    expect(report.stages.map((s: Json) => s.stage)).toEqual(['collect', 'localise', 'reflect']);
    expect(report.localisations.length).toBeGreaterThan(0);
    expect(report.notes.at(-1)).toMatch(
      /budget of 20000; stopped before the curate stage; nothing published$/,
    );
    const md = await api.get<string>(`/v1/dreams/${dream.id}/report?format=markdown`);
    expect(md.body).toContain(`# Dream ${dream.id}: failed`);
    messages.respondWith(() => entriesReply());
  }, 300_000);

  it("a model reflector call that could cost more than is left of the dream's token budget is not sent: the dream goes on without it", async () => {
    const agentId = await budgetedAgent(50);
    const requestsBefore = messages.requests.length;
    const created = await api.post('/v1/dreams', {
      agent_id: agentId,
      model: { provider: 'anthropic', model: 'claude-dreamer' },
    });
    expect(created.status).toBe(201);
    const dream = await finished(created.body.id);
    expect(dream).toMatchObject({ status: 'completed', error: null });
    expect(messages.requests.length).toBe(requestsBefore);
    expect(totalTokens(dream.usage)).toBe(0);
    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    expect(report.notes).toContainEqual(
      expect.stringMatching(
        /^model reflector skipped: rewriting even one draft may take ~\d+ tokens and 50 are left of the token budget; the drafts keep their generated text$/,
      ),
    );
  }, 300_000);

  it('a running dream is canceled at its next heartbeat (a stage boundary or progress inside a stage)', async () => {
    const agentId = await lunarAgent('apply');
    await landFamily(agentId, 'boulder-field');
    const created = await api.post('/v1/dreams', { agent_id: agentId });
    await expectEventually(
      async () => {
        const d = (await api.get(`/v1/dreams/${created.body.id}`)).body;
        if (d.status !== 'running') throw new Error(`not running yet: ${d.status}`);
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    const canceled = await api.post(`/v1/dreams/${created.body.id}/cancel`, {});
    expect(canceled.status).toBe(200);
    expect(canceled.body.cancel_requested_at).not.toBeNull();
    const dream = await finished(created.body.id);
    expect(dream).toMatchObject({ status: 'canceled', outputs: [] });
    const { report } = (await api.get(`/v1/dreams/${dream.id}/report`)).body;
    expect(report).toMatchObject({ status: 'canceled', publication: null });
    expect(report.notes.at(-1)).toMatch(
      /^canceled (before|during) the [a-z]+ stage; nothing published$/,
    );
    // The agent's lock is released: a new dream may start (canceled at once, pending or not).
    const next = await api.post('/v1/dreams', { agent_id: agentId });
    expect(next.status).toBe(201);
    expect((await api.post(`/v1/dreams/${next.body.id}/cancel`, {})).status).toBe(200);
    expect(await finished(next.body.id)).toMatchObject({ status: 'canceled' });
  }, 300_000);

  it('a dream waits while other replicas hold every global slot, and runs once one is free', async () => {
    const agentId = await lunarAgent('apply');
    const slots = dreamer.app.get(DreamSlotRepository);
    const limit = dreamer.config.globalConcurrency;
    const others = [];
    for (let i = 0; i < limit; i++) {
      const holder = { dreamId: uniqueName('drm_other'), owner: 'other-replica' };
      const slotId = await slots.acquire(holder.dreamId, holder.owner, limit, 60_000);
      expect(slotId).not.toBeNull();
      others.push({ ...holder, slotId: String(slotId) });
    }
    try {
      const id = uniqueName('drm_limited');
      await dreamer.dreams.create(aDream({ _id: id, tenantId, agentId }));
      expect(await dreamer.runner.request(id)).toBe(false);
      expect((await api.get(`/v1/dreams/${id}`)).body.status).toBe('pending');
      await slots.release(others[0]);
      expect(await dreamer.runner.request(id)).toBe(true);
      await dreamer.runner.idle();
      expect(await finished(id)).toMatchObject({ status: 'completed' });
      // Its slot was given back when it ended.
      expect(await slots.held()).toBe(limit - 1);
    } finally {
      for (const o of others) await slots.release(o);
    }
  });

  it('a dream whose replica died is resumed by a sweep, and failed cleanly once it keeps dying', async () => {
    const agentId = await lunarAgent('apply');
    const dreams = dreamer.dreams;
    const input = (id: string) => aDream({ _id: id, tenantId, agentId });

    // A replica claimed it and died (its lease ran out at once).
    const resumed = uniqueName('drm_resume');
    expect((await dreams.create(input(resumed))).created).toBe(true);
    expect(await dreams.claim(resumed, 'dead-replica', 1)).not.toBeNull();
    await new Promise((r) => setTimeout(r, 10));
    // The service's one sweep schedule runs the dream step, then the trial announcement step.
    const pass = await dreamer.app.get(DreamerSweep).sweep();
    expect(pass?.map((o) => ['error' in o ? 'failed' : 'ran', o.step])).toEqual([
      ['ran', 'dream'],
      ['ran', 'trial announcement'],
    ]);
    await dreamer.runner.idle();
    expect(await finished(resumed)).toMatchObject({ status: 'completed', attempts: 2 });

    // Two replicas in a row died with it (DREAM_MAX_ATTEMPTS=2): failed, never left running.
    const doomed = uniqueName('drm_doomed');
    expect((await dreams.create(input(doomed))).created).toBe(true);
    await dreams.claim(doomed, 'dead-replica-1', 1);
    await new Promise((r) => setTimeout(r, 10));
    await dreams.claim(doomed, 'dead-replica-2', 1);
    await new Promise((r) => setTimeout(r, 10));
    await dreamer.runner.sweep();
    const failed = await finished(doomed);
    expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: { type: 'interrupted' } });
    // Its lock is released too.
    const next = await api.post('/v1/dreams', { agent_id: agentId });
    expect(next.status).toBe(201);
    await finished(next.body.id);
  }, 120_000);

  it('a dream on a replica that shuts down is handed back mid-way and resumed by another, the run not counted', async () => {
    const agentId = await lunarAgent('apply');
    await landFamily(agentId, 'boulder-field');
    const id = uniqueName('drm_handback');
    // The service closes with the dream mid-way.
    await handBackAt(id, agentId, ['localise', 'reflect']);
    // Handed back: no owner, its lease over, the run not counted (DREAM_MAX_ATTEMPTS=2).
    const back = await dreamer.dreams.findById(tenantId, id);
    expect(back).toMatchObject({ status: 'running', leaseOwner: null, attempts: 0 });
    expect(new Date(back?.leaseUntil ?? 0).getTime()).toBeLessThanOrEqual(Date.now());
    // Another replica takes it at once, without waiting out the lease, and finishes it.
    expect(await dreamer.runner.request(id)).toBe(true);
    await dreamer.runner.idle();
    expect(await finished(id)).toMatchObject({ status: 'completed', attempts: 1 });
  }, 300_000);

  /**
   * A lunar dream (its agent's sessions landed) on a replica with a 3 s lease, whose model answers
   * after `delayMs`; `meanwhile` runs once the model has been asked. Returns the dream's id and how
   * many times the model was asked.
   */
  const dreamWithSlowModel = async (
    name: string,
    delayMs: number,
    meanwhile: (id: string) => Promise<void>,
  ) => {
    const agentId = await lunarAgent('apply');
    await landFamily(agentId, 'boulder-field');
    const id = uniqueName(name);
    const replica = await startDreamer(gateway.config.mongo.db, {
      ...dreamerEnv,
      DREAM_LEASE_MS: '3000',
    });
    const requestsBefore = messages.requests.length;
    messages.respondWith(() => ({ ...entriesReply(), delayMs }));
    try {
      await replica.dreams.create(
        aDream(
          { _id: id, tenantId, agentId },
          { model: { provider: 'anthropic', model: 'claude-dreamer' } },
        ),
      );
      expect(await replica.runner.request(id)).toBe(true);
      await expectEventually(
        async () => expect(messages.requests.length).toBeGreaterThan(requestsBefore),
        { timeoutMs: 120_000, intervalMs: 50 },
      );
      await meanwhile(id);
      await replica.runner.idle();
      return { id, asked: messages.requests.length - requestsBefore };
    } finally {
      messages.respondWith(() => entriesReply());
      await replica.app.close();
    }
  };

  it('a dream whose model answers after its lease would have run out keeps it: another replica sweeping meanwhile leaves it alone', async () => {
    // The model takes 8 s to answer. While it thinks, the other replica sweeps twice, each time
    // past a lease's length since the replica's last progress report.
    const { id, asked } = await dreamWithSlowModel('drm_slow_model', 8_000, async () => {
      for (const ms of [4_000, 3_500]) {
        await new Promise((r) => setTimeout(r, ms));
        await dreamer.runner.sweep();
      }
    });
    const done = await dreamer.dreams.findById(tenantId, id);
    // One run on one replica: not taken over, not run again, the model asked once.
    expect(done).toMatchObject({ status: 'completed', attempts: 1 });
    expect(asked).toBe(1);
  }, 300_000);

  it('a dream canceled while it waits on the model stops in its reflect stage: the model call is aborted, not waited for', async () => {
    // Renewals every second (a 3 s lease) look for the cancel; the model would answer after 10
    // minutes, past the test's own timeout, so only an aborted call lets the dream end in time.
    let said = '';
    const { id, asked } = await dreamWithSlowModel('drm_cancel_model', 600_000, async (dreamId) => {
      // `reverie dream cancel` asks the API and follows the dream to its end.
      const canceled = await cli('dream', 'cancel', dreamId);
      expect(canceled.code).toBe(0);
      said = canceled.out;
    });
    expect(said.split('\n')[0]).toBe(`dream ${id} canceled`);
    expect(said).toMatch(/^ {2}note {5}canceled during the reflect stage; nothing published$/m);
    const done = await dreamer.dreams.findById(tenantId, id);
    expect(done).toMatchObject({ status: 'canceled', attempts: 1, outputs: [] });
    const report = done?.report as Json;
    // Reflect's record stands, for what its search flew; the model's text is not in it.
    expect(report.stages.map((s: Json) => s.stage)).toEqual(['collect', 'localise', 'reflect']);
    expect(report.stages[2].simulations).toBeGreaterThan(0);
    expect(report.notes.at(-1)).toBe('canceled during the reflect stage; nothing published');
    expect(report.notes.join('\n')).not.toMatch(/model reflector/);
    expect(asked).toBe(1);
  }, 300_000);

  it('a dream handed back during reflect keeps what it localised: another replica reflects again, from there', async () => {
    const agentId = await lunarAgent('apply');
    await landFamily(agentId, 'boulder-field');
    const id = uniqueName('drm_reflecting');
    await handBackAt(id, agentId, ['reflect']);
    // The checkpoint holds localise alone: no drafts yet.
    const checkpoint = await dreamer.checkpoints.load(tenantId, id);
    expect(checkpoint?.drafts).toBeNull();
    expect(checkpoint?.stages.map((s) => s.stage)).toEqual(['localise']);

    expect(await dreamer.runner.request(id)).toBe(true);
    await dreamer.runner.idle();
    const done = await dreamer.dreams.findById(tenantId, id);
    expect(done).toMatchObject({ status: 'completed' });
    const report = done?.report as Json;
    const summary = (stage: string) =>
      report.stages.find((s: Json) => s.stage === stage)?.summary as string;
    expect(summary('localise')).toBe(
      `kept from an earlier run of this dream: ${checkpoint?.stages[0].summary}`,
    );
    expect(summary('reflect')).not.toMatch(/^kept/);
    expect(await dreamer.checkpoints.load(tenantId, id)).toBeNull();
  }, 300_000);

  it('a dream handed back after reflect goes on from its checkpoint on another replica, counting what the first run spent', async () => {
    const agentId = await lunarAgent('apply');
    await landFamily(agentId, 'boulder-field');
    const id = uniqueName('drm_checkpoint');
    const requestsBefore = messages.requests.length;
    // Past reflect (its checkpoint kept), not yet publishing.
    await handBackAt(id, agentId, ['curate', 'validate'], {
      model: { provider: 'anthropic', model: 'claude-dreamer' },
    });
    const back = await dreamer.dreams.findById(tenantId, id);
    expect(back).toMatchObject({ status: 'running', leaseOwner: null });
    // What the first run spent stays on the dream: the model reflector's tokens, its flights.
    const modelRequests = messages.requests.length - requestsBefore;
    expect(modelRequests).toBeGreaterThan(0);
    const firstTokens = totalTokens(back?.usage ?? ZERO_USAGE);
    expect(firstTokens).toBeGreaterThan(0);
    expect(back?.simulations).toBeGreaterThan(0);

    expect(await dreamer.runner.request(id)).toBe(true);
    await dreamer.runner.idle();
    const done = await dreamer.dreams.findById(tenantId, id);
    expect(done).toMatchObject({ status: 'completed' });
    // The model was not asked again, and the first run's tokens are counted once.
    expect(messages.requests.length - requestsBefore).toBe(modelRequests);
    expect(done?.usage).toEqual(back?.usage);
    expect(done?.simulations).toBeGreaterThanOrEqual(back?.simulations ?? 0);
    const report = done?.report as Json;
    const summary = (stage: string) =>
      report.stages.find((s: Json) => s.stage === stage)?.summary as string;
    expect(summary('localise')).toMatch(/^kept from an earlier run of this dream: /);
    expect(summary('reflect')).toMatch(/^kept from an earlier run of this dream: /);
    expect(report.notes).toContain(
      `resumed: earlier runs of this dream spent ${firstTokens} token(s) and ${back?.simulations} simulation(s), counted in its usage and against its budget`,
    );
    // Its checkpoint went with its end.
    expect(await dreamer.checkpoints.load(tenantId, id)).toBeNull();
  }, 300_000);
});
