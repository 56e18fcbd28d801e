import {
  PlaybookTrialWriter,
  PlaybookVersionRepository,
  PlaybookVersionWriter,
} from '@reverie/playbooks-data-access';
import { applyDeltas } from '@reverie/playbooks-domain';
import { aDream } from '@reverie/playbooks-domain/testing';
import { scenarioFor } from '@reverie/lunar-lander';
import { anAgent, expectEventually, type ApiClient, type Json } from '@reverie/testing';
import { MessagesServer, toolUseReply } from '@reverie/testing/anthropic';
// The real gateway, orchestrator and dreamer (tests only; apps share no code).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type RunningGateway } from '../../session-gateway/test/gateway.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  orchestratorEnv,
  startOrchestrator,
  type RunningOrchestrator,
} from '../../orchestrator/test/orchestrator.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startDreamer, type RunningDreamer } from '../../dreamer/test/dreamer.harness';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGrader, type RunningGrader } from '../../outcome-grader/test/grader.harness';
import { CONSOLE_DIR } from './browser';

export interface ConsoleStack {
  /** The Messages API stand-in the orchestrator's `anthropic` runs call: it answers in 10 minutes. */
  slowModel: MessagesServer;
  gateway: RunningGateway;
  orchestrator: RunningOrchestrator;
  dreamer: RunningDreamer;
  grader: RunningGrader;
  close(): Promise<void>;
}

/**
 * The services the console talks to, on the test stack, with the gateway serving the bundle: the
 * orchestrator lands, the grader grades what lands, the dreamer dreams; all share the gateway's
 * database, as deployed (the gateway drops it on close). A run of the `anthropic`
 * provider waits on a remote model that answers in 10 minutes (mocked: none is reachable here), so
 * a batch of them stays running until it is canceled; the orchestrator looks every 500 ms.
 */
export async function startConsoleStack(): Promise<ConsoleStack> {
  const slowModel = await MessagesServer.start({
    respond: () => ({
      ...toolUseReply([{ name: 'search', input: { pattern: 'ERROR' } }]),
      delayMs: 600_000,
    }),
  });
  const gateway = await startGateway({ CONSOLE_DIR });
  const slow = {
    MONGO_DB: gateway.config.mongo.db,
    ANTHROPIC_BASE_URL: slowModel.baseURL,
    ANTHROPIC_API_KEY: slowModel.apiKey,
    SESSION_WATCH_MS: '500',
  };
  const [orchestrator, dreamer] = await Promise.all([
    orchestratorEnv(slow).then(startOrchestrator),
    startDreamer(gateway.config.mongo.db, { DREAM_MAX_SIMULATIONS: '200' }),
  ]);
  // After the others: its group starts at the end of topics they create.
  const grader = await startGrader(gateway.config.mongo.db);
  return {
    slowModel,
    gateway,
    orchestrator,
    dreamer,
    grader,
    close: async () => {
      await grader.close();
      await dreamer.close();
      await orchestrator.close();
      await gateway.close();
      await slowModel.close();
    },
  };
}

export const LUNAR_ROLES = [{ name: 'commander' }, { name: 'detector' }, { name: 'navigator' }];

/** A lunar team whose dreams propose. */
export async function lunarAgent(api: ApiClient): Promise<string> {
  const agent = await api.post(
    '/v1/agents',
    anAgent({
      name: 'moon-team',
      roles: LUNAR_ROLES,
      dreaming: { enabled: false, publish: 'propose' },
    }),
  );
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  // Its objective: the grader grades each landing on it (one attempt: nothing sent back).
  const outcome = await api.put(`/v1/agents/${agent.body.id}/outcome`, {
    description: 'Land safely, softly',
    environment: 'lunar-lander',
    maxIterations: 1,
    criteria: [
      { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true, required: true },
      { id: 'soft', kind: 'bound', path: 'touchdown.vertical_speed', op: 'lte', value: 2 },
    ],
  });
  if (outcome.status !== 200)
    throw new Error(`outcome not defined: ${JSON.stringify(outcome.body)}`);
  return agent.body.id;
}

/** `count` landings of the downrange family (boulders near the track), all ended; their ids. */
export async function landings(api: ApiClient, agentId: string, count: number): Promise<string[]> {
  return land(
    api,
    agentId,
    Array.from({ length: count }, (_, index) => ({ family: 'downrange', index })),
  );
}

/**
 * One landing of downrange's first scenario with an engine that lags 1.5 s, by an agent of its own
 * (so the moon-team's counts stay as they are), ended; its session id.
 */
export async function laggingLanding(api: ApiClient): Promise<string> {
  const agent = await api.post(
    '/v1/agents',
    anAgent({ name: 'slow-engine-team', roles: LUNAR_ROLES, dreaming: { enabled: false } }),
  );
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  const base = scenarioFor('downrange', 0);
  const craft = { ...base.craft, throttleLagSeconds: 1.5 };
  const [id] = await land(api, agent.body.id, [{ scenario: { ...base, craft } }]);
  return id;
}

/** A batch of lunar-lander tasks, all ended; the ids of its sessions. */
async function land(api: ApiClient, agentId: string, tasks: Json[]): Promise<string[]> {
  const batch = await api.post('/v1/batches', {
    agentId,
    run: { environment: 'lunar-lander' },
    tasks,
  });
  if (batch.status !== 201) throw new Error(`batch not created: ${JSON.stringify(batch.body)}`);
  const done = await expectEventually(
    async () => {
      const b = (await api.get(`/v1/batches/${batch.body.id}?limit=100`)).body;
      if (!b.done) throw new Error(`landings not done: ${JSON.stringify(b.counts)}`);
      return b;
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  return (done.sessions as Json[]).map((s) => s.id as string);
}

/** An external session with `total` events in four lanes, posted 500 at a time, all stored. */
export async function longSession(api: ApiClient, agentId: string, total: number) {
  const session = await api.post('/v1/sessions', { agentId, title: `${total} events` });
  const id = session.body.id as string;
  const event = (i: number): Json => {
    const step = Math.floor(i / 4);
    switch (i % 4) {
      case 0:
        return {
          clientEventId: `e${i}`,
          type: 'message',
          role: 'agent',
          actor: 'commander',
          to: 'navigator',
          step,
          content: `hold course, step ${step}`,
        };
      case 1:
        return {
          clientEventId: `e${i}`,
          type: 'action',
          actor: 'navigator',
          step,
          name: 'command',
          params: { throttle: (i % 10) / 10 },
        };
      case 2:
        return {
          clientEventId: `e${i}`,
          type: 'observation',
          actor: 'environment',
          step,
          data: { altitude: total - i },
        };
      default:
        return {
          clientEventId: `e${i}`,
          type: 'tool_call',
          actor: 'detector',
          step,
          toolCallId: `tc_${i}`,
          name: 'scan',
          input: { range: 50 },
        };
    }
  };
  for (let start = 0; start < total; start += 500) {
    const events = Array.from({ length: Math.min(500, total - start) }, (_, k) => event(start + k));
    const r = await api.post(`/v1/sessions/${id}/events`, { events });
    if (r.status !== 202) throw new Error(`events refused: ${JSON.stringify(r.body)}`);
  }
  await expectEventually(
    async () => {
      const s = (await api.get(`/v1/sessions/${id}`)).body;
      if (s.eventCount < total) throw new Error(`${s.eventCount} of ${total} events stored`);
    },
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  return id;
}

/**
 * A playbook (a role's, or the agent's own) with one entry (v1, by a person through the API) and
 * a proposal on top of it (v2), stored through the playbook writer exactly as the dreamer stores
 * one (a real dream that proposes takes minutes of simulation, beyond this spec's budget;
 * dreams.int-spec runs one). Its playbook id.
 */
export async function playbookWithProposal(
  stack: ConsoleStack,
  api: ApiClient,
  tenantId: string,
  agentId: string,
  role?: string,
): Promise<string> {
  const base = `/v1/agents/${agentId}/playbook`;
  const v1 = await api.post(`${base}/entries${role ? `?role=${role}` : ''}`, {
    title: 'Brake low',
    guidance: 'Below 30 m keep the descent under 2 m/s.',
    rationale: 'Fast late descents broke the landing gear.',
  });
  if (v1.status !== 201) throw new Error(`entry not added: ${JSON.stringify(v1.body)}`);
  const head = await stack.gateway.app
    .get(PlaybookVersionRepository)
    .findActive(tenantId, v1.body.playbookId);
  if (!head) throw new Error(`no active ${role ?? 'agent'} playbook`);
  const proposal = applyDeltas(
    head,
    [
      {
        kind: 'add',
        entry: {
          title: 'Flare early',
          guidance: 'Start the flare at 15 m.',
          rationale: 'Late flares landed hard.',
        },
      },
    ],
    aDream(),
    new Date(),
    {
      status: 'proposed',
      version: 2,
      message: 'dreamed: flare early',
      // As a dream records it: the training and validation scenarios it read.
      learnedFrom: [
        {
          environment: 'lunar-lander',
          input: `sessions of agent ${agentId}`,
          train: ['boulder-field-01', 'boulder-field-02'].map((id) => ({ id, digest: id })),
          validation: [{ id: 'boulder-field-07', digest: 'boulder-field-07' }],
        },
      ],
    },
  );
  await stack.gateway.app.get(PlaybookVersionWriter).propose(tenantId, proposal);
  return v1.body.playbookId;
}

/**
 * An agent of its own whose proposal (v2 of its own playbook, against v1) is on a canary trial,
 * started through the trial writer as a dream's publish stage starts one: a first trial,
 * superseded (stopped) by a second that runs, and `sessions` sessions served by the running one
 * (each assigned an arm by POST /v1/sessions). Its id and the two trials' ids.
 */
export async function agentOnTrial(
  stack: ConsoleStack,
  api: ApiClient,
  tenantId: string,
  sessions: number,
) {
  const agent = await api.post('/v1/agents', anAgent({ name: 'desk-team', roles: [] }));
  if (agent.status !== 201) throw new Error(`agent not created: ${JSON.stringify(agent.body)}`);
  const agentId: string = agent.body.id;
  const playbookId = await playbookWithProposal(stack, api, tenantId, agentId);
  const trials = stack.gateway.app.get(PlaybookTrialWriter);
  const start = (dreamId: string) =>
    trials.start(tenantId, {
      agentId,
      dreamId,
      publish: 'propose',
      playbooks: [{ role: null, playbookId, candidate: 2, control: 1 }],
      share: 0.5,
    });
  const first = await start('drm_console_first');
  const running = await start('drm_console_second');
  for (let i = 0; i < sessions; i++) {
    const session = await api.post('/v1/sessions', { agentId, title: `ticket ${i}` });
    if (session.status !== 201) throw new Error(`session refused: ${JSON.stringify(session.body)}`);
  }
  return { agentId, stoppedTrialId: first._id, runningTrialId: running._id };
}
