import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anAgent, expectEventually, type ApiClient, type Json } from '@reverie/testing';
import { uniqueName } from '@reverie/testing/integration';
import type { Page } from 'playwright-core';
import {
  CHROMIUM,
  CONSOLE_DIR,
  hasChromium,
  openBrowser,
  overflowX,
  seriousAxeViolations,
  shoot,
  signIn,
  type Browser,
} from './browser';
import {
  agentOnTrial,
  longSession,
  landings,
  laggingLanding,
  lunarAgent,
  playbookWithProposal,
  startConsoleStack,
  type ConsoleStack,
} from './console-stack';

// The operator console end to end: Debian's Chromium drives the built bundle, served by the real
// gateway, against the real orchestrator and dreamer on the real Kafka and MongoDB-wire server.
// Screenshots of every page at 1280 and 768 px go to artifacts/console/; axe-core checks each.
const describeWithChromium = hasChromium() ? describe : describe.skip;
if (!hasChromium()) {
  console.warn(`console e2e skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
}

const EVENTS = 10_000;
/** Sessions the running canary trial serves (each assigned an arm). */
const TRIAL_SESSIONS = 6;

describeWithChromium('operator console in a real browser (mocked nothing: real services)', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let page: Page;
  let api: ApiClient;
  let key: string;
  let base: string;
  let agentId: string;
  let lunarSessionId: string;
  let landed: string[];
  let laggingSessionId: string;
  let dreamId = '';
  let batchId = '';
  let longSessionId: string;
  let onTrial: Awaited<ReturnType<typeof agentOnTrial>>;
  const tenantId = uniqueName('console');

  beforeAll(async () => {
    if (!existsSync(join(CONSOLE_DIR, 'index.html'))) {
      throw new Error(`the console is not built (${CONSOLE_DIR}); run: npx nx build console`);
    }
    const started = Date.now();
    stack = await startConsoleStack();
    api = await stack.gateway.tenant(tenantId);
    key = api.apiKey ?? '';
    base = api.baseUrl;
    agentId = await lunarAgent(api);
    [landed, laggingSessionId, longSessionId, , onTrial, browser] = await Promise.all([
      landings(api, agentId, 3),
      laggingLanding(api),
      longSession(api, agentId, EVENTS),
      playbookWithProposal(stack, api, tenantId, agentId, 'navigator'),
      agentOnTrial(stack, api, tenantId, TRIAL_SESSIONS),
      openBrowser(1280),
    ]);
    lunarSessionId = landed[0];
    page = browser.page;
    console.log(
      `console e2e: services, 3 landings and ${EVENTS} events ready in ${Date.now() - started} ms`,
    );
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  }, 60_000);

  it('refuses a wrong key with the API’s own message, then signs in and names the tenant', async () => {
    await signIn(page, base, 'rvk_wrong_key');
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(
      /Sign-in failed.*authentication_error/,
    );
    await shoot(page, 'sign-in-refused');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('tenant').textContent()).resolves.toBe(tenantId);
    await page.getByRole('link', { name: 'moon-team' }).waitFor();
    const stored = await page.evaluate<number[]>('[sessionStorage.length, localStorage.length]');
    expect(stored).toEqual([2, 0]);
  }, 60_000);

  it('opens a lunar session and plots its flight over the terrain with the touchdown report', async () => {
    await page.goto(`${base}/console/#/sessions/${lunarSessionId}`);
    const trajectory = page.locator(
      'svg[aria-label^="trajectory over the terrain"] path.trajectory',
    );
    await trajectory.waitFor();
    const points = ((await trajectory.getAttribute('d')) ?? '').split('L').length;
    expect(points).toBeGreaterThan(10);
    for (const chart of ['altitude (m)', 'speed (m/s)', 'throttle (0..1)', 'pitch (°)']) {
      await expect(
        page.locator(`svg[aria-label="${chart} over time"] path.line`).count(),
      ).resolves.toBeGreaterThan(0);
    }
    await expect(page.locator('svg.plot path.boulder').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByLabel('Touchdown report').textContent()).resolves.toMatch(
      /Touchdown: landed.*vertical speed\d/s,
    );
    await shoot(page, 'lunar-session');
  }, 60_000);

  it("plots a lagging engine's level beside the throttle it was commanded", async () => {
    await page.goto(`${base}/console/#/sessions/${laggingSessionId}`);
    const chart = page.locator('svg[aria-label="throttle (0..1) over time"]');
    await chart.locator('path.line').first().waitFor();
    await expect(chart.locator('path.line').count()).resolves.toBe(2);
    await expect(chart.locator('text.legend').allTextContents()).resolves.toEqual([
      'throttle commanded',
      'engine level',
    ]);
    await shoot(page, 'lunar-session-lagging-engine');
  }, 60_000);

  it('shows the graded landings on Outcomes and their success rate on Learning', async () => {
    // The grader grades each landing on the agent's outcome definition once it ends.
    await page.goto(`${base}/console/#/outcomes?agentId=${agentId}`);
    const rows = page.locator(
      'section[aria-label="Verdicts, newest first"] .table-wrap > table > tbody > tr',
    );
    for (let i = 0; (await rows.count()) < 3; i++) {
      if (i >= 60) throw new Error(`only ${await rows.count()} of 3 landings graded`);
      await new Promise((r) => setTimeout(r, 1000));
      await page.reload();
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
    }
    await expect(rows.count()).resolves.toBe(3);
    const sessions = await rows.locator('a.mono').allTextContents();
    expect(new Set(sessions)).toEqual(new Set(landed));
    await expect(rows.first().locator('td').first().textContent()).resolves.toMatch(
      /satisfied|needs revision|failed|max iterations reached/,
    );
    await rows.first().locator('summary').click();
    await expect(rows.first().locator('details tbody tr').count()).resolves.toBe(2);
    await shoot(page, 'outcomes-graded');

    await page.goto(`${base}/console/#/learning?agent=${agentId}`);
    const chart = page.locator('svg.chart');
    await chart.waitFor();
    // Three landings today: one point per series (the success rate and each criterion).
    await expect(chart.locator('circle').count()).resolves.toBeGreaterThanOrEqual(3);
    await expect(
      page.locator('.table-wrap tbody tr').first().locator('td.num').first().textContent(),
    ).resolves.toBe('3');
    await shoot(page, 'learning-graded');
  }, 120_000);

  it('shows an agent’s next dream slot, its budget spent today and which switch pauses it', async () => {
    const created = await api.post(
      '/v1/agents',
      anAgent({
        name: 'night-shift',
        dreaming: {
          enabled: true,
          frequency: 'cron',
          cron: '30 3 * * *',
          timezone: 'UTC',
          budget: { tokensPerDay: 40_000 },
        },
      }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await page.goto(`${base}/console/#/agents/${id}`);
    const next = page.getByTestId('next-slot');
    await next.locator('time').waitFor();
    // 03:30 UTC today or tomorrow, whichever comes first after now.
    const at = Date.parse((await next.locator('time').getAttribute('datetime')) ?? '');
    expect(new Date(at).toISOString()).toMatch(/T03:30:00\.000Z$/);
    expect(at - Date.now()).toBeGreaterThan(-60_000);
    expect(at - Date.now()).toBeLessThanOrEqual(86_400_000);
    await expect(page.getByTestId('spent-today').textContent()).resolves.toMatch(
      /^0 tokens of 40,000 \(40,000 left\)/,
    );
    await expect(page.getByTestId('dreaming-state').textContent()).resolves.toBe('scheduled');
    await Promise.all([
      page.waitForResponse(
        (r) => r.url().includes('/v1/dreaming/pause') && r.request().method() === 'PUT',
      ),
      // A click, not check(): the switch shows the stored state, once the API has it.
      page.getByRole('switch', { name: 'Dreaming paused for this agent' }).click(),
    ]);
    await page.reload();
    await page.getByText(/^paused \(this agent/).waitFor();
    await expect(page.getByTestId('dreaming-state').textContent()).resolves.toBe(
      'paused (this agent: paused from the console)',
    );
    await shoot(page, 'agent-dreaming');
  }, 60_000);

  it('filters sessions by start time (UTC), through GET /v1/sessions?from=&to=', async () => {
    await page.goto(`${base}/console/#/sessions?agentId=${agentId}`);
    const rows = page.locator('section[aria-label="Sessions, newest first"] tbody > tr');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(4); // 3 landings and the long session
    await page.getByLabel('Started before (UTC)').fill('2001-01-01T00:00');
    await page.getByText('No sessions match.').waitFor();
    expect(page.url()).toContain('to=2001-01-01T00%3A00');
    await page.getByLabel('Started before (UTC)').fill('');
    await page.getByLabel('Started from (UTC)').fill('2001-01-01T00:00');
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(4);
  }, 60_000);

  it(`keeps a ${EVENTS.toLocaleString('en')}-event timeline virtualised and pages it from the API`, async () => {
    await page.goto(`${base}/console/#/sessions/${longSessionId}`);
    await page.getByText(`1,000 of ${EVENTS.toLocaleString('en')} events loaded`).waitFor();
    const timeline = page.getByRole('listbox', { name: 'Session events' });
    await expect(page.getByRole('option').count()).resolves.toBeLessThan(60);
    // Scrolling to the end of what is loaded reads the next page, one request at a time.
    const started = Date.now();
    await timeline.hover();
    const loaded = async () =>
      Number(
        ((await page.locator('.timeline p').first().textContent()) ?? '')
          .split(' of ')[0]
          .replace(/,/g, ''),
      );
    for (let count = await loaded(); count < EVENTS;) {
      await page.mouse.wheel(0, 1_000_000);
      await page.waitForFunction(
        `Number((document.querySelector('.timeline p')?.textContent ?? '').split(' of ')[0].replace(/,/g, '')) > ${count}`,
      );
      const next = await loaded();
      expect(next - count).toBeLessThanOrEqual(1000);
      count = next;
    }
    // Keyboard: the arrows move the selection, End selects the last event.
    await timeline.focus();
    await page.keyboard.press('End');
    const last = page.locator(`[data-seq="${EVENTS}"]`);
    await last.waitFor();
    await expect(last.getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.getByRole('option').count()).resolves.toBeLessThan(60);
    console.log(
      `console e2e: ${EVENTS} events paged into the timeline in ${Date.now() - started} ms`,
    );
    await expect(page.getByLabel('Selected event').textContent()).resolves.toContain(
      `Event ${EVENTS}: tool_call by detector`,
    );
    await shoot(page, 'long-session');
  }, 90_000);

  it('starts a dream, watches it complete, shows the report and downloads it as Markdown', async () => {
    await page.goto(`${base}/console/#/dreams`);
    await page.getByLabel('Agent to dream').selectOption(agentId);
    await page.getByLabel('Sessions to review (max)').fill('3');
    await page.getByRole('button', { name: 'Start dream' }).click();
    await page.waitForURL(/#\/dreams\/drm_/);
    dreamId = /drm_\w+/.exec(page.url())?.[0] ?? '';
    await page.getByTestId('dream-status').getByText('completed').waitFor({ timeout: 120_000 });
    await page.getByRole('heading', { name: 'Failure patterns' }).waitFor();
    await expect(page.getByText('sessions reviewed failed').textContent()).resolves.toMatch(
      /of 3 sessions reviewed failed/,
    );
    // What it optimised, and the test split it reports on, as the report's JSON has them.
    const report = (
      await (await stack.gateway.tenant(tenantId)).get(`/v1/dreams/${dreamId}/report`)
    ).body.report;
    await expect(
      page.getByRole('region', { name: 'What it optimised' }).textContent(),
    ).resolves.toContain(report.objective.description);
    const test = report.test.before;
    await expect(page.getByTestId('test-split').textContent()).resolves.toContain(
      `${test.satisfied} of ${test.tasks} (${Math.round(test.satisfiedRate * 100)} %) satisfied before`,
    );
    const criteriaRows = page
      .getByRole('region', { name: 'Table of test split by criterion' })
      .locator('tbody tr');
    expect(await criteriaRows.count()).toBe(test.criteria.length);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download report (Markdown)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${dreamId}-report.md`);
    const markdown = readFileSync((await download.path()) ?? '', 'utf8');
    expect(markdown).toContain(dreamId);
    await shoot(page, 'dream');
    const api = (await stack.gateway.tenant(tenantId)).get(`/v1/dreams/${dreamId}`);
    await expect(api.then((r) => r.body.status)).resolves.toBe('completed');
  }, 150_000);

  it('approves a proposal, then a content guard refuses a secret inline, then rolls back', async () => {
    await page.goto(`${base}/console/#/playbooks?agent=${agentId}&role=navigator`);
    await page.getByRole('button', { name: 'Approve v2' }).click();
    await page.getByRole('heading', { name: 'Active version — v2' }).waitFor();
    await page.getByText('No proposals.').waitFor();
    expect((await api.get(`/v1/agents/${agentId}/playbook?role=navigator`)).body.version).toBe(2);
    // What the dream that wrote it learned from and chose on.
    await page
      .getByText(
        `Learned from 2 training tasks and chose on 1 validation task of lunar-lander (sessions of agent ${agentId}); no test task.`,
      )
      .waitFor();
    await shoot(page, 'playbook-approved');

    await page.getByRole('button', { name: 'Edit entry Brake low' }).click();
    await page
      .getByLabel('Guidance', { exact: true })
      .fill('Call the model with sk-ant-api03-Zq8Lr2Vt6Yp0Wm4Xn7Kb3Hd9Gf1Sc5Ja2Ue8Io.');
    await page.getByRole('button', { name: 'Save as a new version' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await expect(refusal.textContent()).resolves.toMatch(
      /contains an Anthropic API key.*422 content_rejected/s,
    );
    expect((await api.get(`/v1/agents/${agentId}/playbook?role=navigator`)).body.version).toBe(2);
    await shoot(page, 'playbook-guard-refused');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    await page.getByRole('heading', { name: 'Active version — v3' }).waitFor();
    const active = (await api.get(`/v1/agents/${agentId}/playbook?role=navigator`)).body;
    expect(active.version).toBe(3);
    expect(active.entries.map((e: { title: string }) => e.title)).toEqual(['Brake low']);
    // Back to v1's rules, which no dream wrote: nothing learned from.
    expect(active.learnedFrom).toEqual([]);
    expect(await page.locator('.learned-from').count()).toBe(0);
    // Compare v1 and v2 side by side: the proposal's entry shows as added.
    await page.getByLabel('From', { exact: true }).selectOption('1');
    await page.getByLabel('To', { exact: true }).selectOption('2');
    await page.locator('.diff-added').getByText('Flare early').waitFor();
    await shoot(page, 'playbook-rolled-back');
  }, 90_000);

  it('shows a canary trial: the proposal it serves, each arm’s sessions, and why the older one stopped', async () => {
    await page.goto(`${base}/console/#/playbooks?agent=${onTrial.agentId}`);
    const onIt = page.getByTestId('on-trial');
    await expect(onIt.textContent()).resolves.toMatch(
      new RegExp(`On canary trial ${onTrial.runningTrialId}.*v2 against v1.*50 % of new sessions`),
    );
    const running = page.locator(`[data-trial="${onTrial.runningTrialId}"]`);
    const arms = running.getByRole('region', { name: /Table of the arms/ }).locator('tbody tr');
    const sessions = await arms.evaluateAll((rows) =>
      rows.map((r) => [r.children[0].textContent, Number(r.children[1].textContent)]),
    );
    expect(sessions.map(([arm]) => arm)).toEqual(['candidate', 'control']);
    // Every session was served by one arm, as the API counts them.
    const counted = (
      await api.get(`/v1/agents/${onTrial.agentId}/trials/${onTrial.runningTrialId}`)
    ).body.arms;
    expect(sessions.map(([, n]) => n)).toEqual([
      counted.candidate.sessions,
      counted.control.sessions,
    ]);
    expect(counted.candidate.sessions + counted.control.sessions).toBe(TRIAL_SESSIONS);
    await expect(running.getByTestId('trial-decision').textContent()).resolves.toMatch(
      /^Undecided/,
    );
    const stopped = page.locator(`[data-trial="${onTrial.stoppedTrialId}"]`);
    await expect(stopped.locator('.badge').first().textContent()).resolves.toBe('stopped');
    await expect(stopped.getByTestId('trial-decision').textContent()).resolves.toContain(
      `superseded by trial ${onTrial.runningTrialId}`,
    );
    await shoot(page, 'playbook-trial');
  }, 60_000);

  it('creates an API key, shows it once, and revokes it at once', async () => {
    const meWith = (k: string) => fetch(`${base}/v1/me`, { headers: { 'x-api-key': k } });
    await page.goto(`${base}/console/#/api-keys`);
    await page.getByText('this console’s key').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ci-console');
    await page.getByRole('button', { name: 'Create key' }).click();
    const created = await page.getByLabel('The new key').inputValue();
    expect(created).toMatch(/^rvk_/);
    expect((await meWith(created)).status).toBe(200);
    const row = page.getByRole('row').filter({ hasText: 'ci-console' });
    // The list shows how the key starts, never the key.
    const shownPrefix = (await row.getByTestId('key-prefix').textContent()) ?? '';
    expect(created.startsWith(shownPrefix.replace('…', ''))).toBe(true);
    expect(shownPrefix.length).toBeLessThan(created.length);
    await shoot(page, 'api-key-created');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await expect(page.getByLabel('The new key').count()).resolves.toBe(0);

    await row.getByRole('button', { name: 'Revoke ci-console' }).click();
    await row.getByRole('button', { name: 'Revoke ci-console now' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await meWith(created)).status).toBe(401);
    // The console's own key still works: it stays signed in.
    await expect(page.getByTestId('tenant').textContent()).resolves.toBe(tenantId);
  }, 60_000);

  it('keeps the seq and step columns in view while the lanes scroll sideways on a narrow screen', async () => {
    await page.setViewportSize({ width: 420, height: 900 });
    try {
      await page.goto(`${base}/console/#/sessions/${lunarSessionId}`);
      const timeline = page.getByRole('listbox', { name: 'Session events' });
      const seq = page.getByRole('option').first().locator('.timeline-fixed').first();
      const card = page.getByRole('option').first().locator('.event-card');
      await seq.waitFor();
      const [seqBefore, cardBefore] = [await seq.boundingBox(), await card.boundingBox()];
      // The lanes are wider than the screen: the list scrolls sideways (→, as the hint says).
      expect(await timeline.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeGreaterThan(0);
      await timeline.focus();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      const scrolled = await timeline.evaluate((el) => el.scrollLeft);
      expect(scrolled).toBeGreaterThan(100);
      // The lanes moved; seq stayed (at most the row's 6 px padding); the header followed.
      const [seqAfter, cardAfter] = [await seq.boundingBox(), await card.boundingBox()];
      expect((cardBefore?.x ?? 0) - (cardAfter?.x ?? 0)).toBeCloseTo(scrolled, -1);
      expect(Math.abs((seqAfter?.x ?? 0) - (seqBefore?.x ?? 0))).toBeLessThanOrEqual(6);
      await expect(
        page.locator('.timeline-head-box').evaluate((el) => el.scrollLeft),
      ).resolves.toBe(scrolled);
      await shoot(page, 'session-narrow');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }, 60_000);

  it('follows a batch from the batches page and cancels what is left of it (the remote model is mocked)', async () => {
    // An agent of its own; its runs wait on the stand-in model, which answers in 10 minutes.
    const agent = await api.post('/v1/agents', anAgent({ name: 'nightly-triage' }));
    const asked = stack.slowModel.requests.length;
    const created = await api.post('/v1/batches', {
      agentId: agent.body.id,
      title: 'nightly CI logs',
      run: { environment: 'ci-log-triage', model: { provider: 'anthropic', model: 'claude-test' } },
      tasks: Array.from({ length: 6 }, () => ({ caseId: 'assertj_1944' })),
    });
    expect(created.status).toBe(201);
    batchId = created.body.id;
    await expectEventually(
      async () => expect(stack.slowModel.requests.length).toBeGreaterThan(asked),
      { timeoutMs: 60_000, intervalMs: 100 },
    );

    await page.goto(`${base}/console/#/batches`);
    const row = page.getByRole('row').filter({ hasText: 'nightly CI logs' });
    await expect(row.textContent()).resolves.toContain('0 of 6 ended; 6 running');
    await row.getByRole('link', { name: 'nightly CI logs' }).click();
    await page.getByRole('heading', { name: 'nightly CI logs' }).waitFor();
    const sessions = page.getByRole('region', { name: 'Table of sessions of the batch' });
    // Tasks in order, each a link to its session.
    await expect(sessions.locator('tbody tr td:first-child').allTextContents()).resolves.toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
    await shoot(page, 'batch-running');

    const cancel = page.getByRole('button', { name: 'Cancel batch' });
    await cancel.click();
    await page.getByRole('button', { name: 'Keep it running' }).click();
    await cancel.click();
    await shoot(page, 'batch-cancel-confirm');
    await page.getByRole('button', { name: 'Cancel 6 running session(s) now' }).click();
    await page.getByText('Canceled 6 running session(s).').waitFor();
    await page.getByText('6 of 6 ended: 6 canceled').first().waitFor();
    await expect(page.getByRole('button', { name: 'Cancel batch' }).count()).resolves.toBe(0);
    await expect(sessions.getByText('canceled in the console').count()).resolves.toBe(6);
    expect((await api.get(`/v1/batches/${batchId}`)).body).toMatchObject({
      done: true,
      counts: { canceled: 6 },
    });
    await shoot(page, 'batch-canceled');

    // Every run stopped or was skipped: none is left waiting on the model.
    const ids: string[] = created.body.sessions.map((s: { id: string }) => s.id);
    await expectEventually(
      async () => {
        for (const id of ids) {
          const run = await stack.orchestrator.runs.findById(tenantId, id);
          expect(run?.status === 'canceled' || !!run?.skipReason).toBe(true);
        }
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    // A session of the batch links back to it.
    await sessions.getByRole('link').first().click();
    await page.getByRole('link', { name: batchId }).click();
    await page.getByRole('heading', { name: 'nightly CI logs' }).waitFor();
  }, 120_000);

  it('shows every page without sideways overflow and without serious axe violations at 1280 and 768 px', async () => {
    const pages = [
      ['agents', '#/agents'],
      ['agent', `#/agents/${agentId}`],
      ['sessions', '#/sessions'],
      ['batches', '#/batches'],
      ['batch', `#/batches/${batchId}`],
      ['outcomes', '#/outcomes'],
      ['dreams', '#/dreams'],
      ['playbooks', `#/playbooks?agent=${agentId}&role=navigator`],
      ['playbook-trials', `#/playbooks?agent=${onTrial.agentId}`],
      ['webhooks', '#/webhooks'],
      ['learning', `#/learning?agent=${agentId}`],
      ['api-keys', '#/api-keys'],
      ['session', `#/sessions/${lunarSessionId}`],
      ['long-session', `#/sessions/${longSessionId}`],
      ['dream', `#/dreams/${dreamId}`],
      ['not-found', '#/nowhere'],
    ];
    const axe: Json[] = [];
    for (const width of [1280, 768]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, hash] of pages) {
        await page.goto(`${base}/console/${hash}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        // Every "Loading …" has given way to what was loaded (or to the API's error).
        await page.waitForFunction(
          `![...document.querySelectorAll('[role=status]')].some((e) => e.textContent.startsWith('Loading'))`,
        );
        await expect(page.getByTestId('tenant').textContent()).resolves.toBe(tenantId);
        expect({ name, width, overflow: await overflowX(page) }).toEqual({
          name,
          width,
          overflow: 0,
        });
        // Accessibility, measured: no serious or critical axe-core violation (contrast included).
        // Gathered over every page and width, so one run names them all.
        for (const v of await seriousAxeViolations(page)) axe.push({ name, width, ...v });
        await shoot(page, name);
      }
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(axe).toEqual([]);
  }, 180_000);

  it('cancels a running session from its page', async () => {
    // An agent of its own: the lunar agent's sessions are counted and dreamed on above.
    const agent = await api.post('/v1/agents', anAgent());
    const created = await api.post('/v1/sessions', { agentId: agent.body.id });
    expect(created.status).toBe(201);
    await page.goto(`${base}/console/#/sessions/${created.body.id}`);
    const cancel = page.getByRole('button', { name: 'Cancel session' });
    // A second click: the first asks, and "Keep it running" leaves it be.
    await cancel.click();
    await page.getByRole('button', { name: 'Keep it running' }).click();
    await cancel.click();
    await shoot(page, 'session-cancel-confirm');
    await page.getByRole('button', { name: 'Cancel it now' }).click();
    await page.getByText('End reason: canceled in the console').waitFor();
    await expect(page.locator('.summary-row .badge').first().textContent()).resolves.toBe(
      'canceled',
    );
    await expect(page.getByRole('button', { name: /^Cancel/ }).count()).resolves.toBe(0);
    expect((await api.get(`/v1/sessions/${created.body.id}`)).body).toMatchObject({
      status: 'canceled',
      endReason: 'canceled in the console',
    });
    await shoot(page, 'session-canceled');
  }, 60_000);

  it('goes back to sign in when the key is revoked', async () => {
    const created = await api.post('/v1/api-keys', { name: 'short-lived' });
    await page.evaluate('sessionStorage.clear()');
    await signIn(page, base, created.body.key);
    await page.getByTestId('tenant').waitFor();
    // A key without the admin scope is told what managing keys takes.
    await page.goto(`${base}/console/#/api-keys`);
    await page.getByText('cannot manage keys').waitFor();
    await api.post(`/v1/api-keys/${created.body.id}/revoke`);
    // The next page the operator opens asks the API, which refuses the key. (No reload: the
    // notice lives in the page, and a reload racing the refusal would start a fresh sign-in.)
    await page.goto(`${base}/console/#/dreams`);
    // The sign-in page's notice (a live region) says why, in the API's words.
    const notice = page.locator('p.notice[role="status"]');
    await notice.waitFor({ timeout: 30_000 });
    await expect(notice.textContent()).resolves.toMatch(
      /The API refused the key: .*revoked.*Sign in again/i,
    );
    await expect(page.getByLabel('API key').isVisible()).resolves.toBe(true);
    await expect(seriousAxeViolations(page)).resolves.toEqual([]);
    await shoot(page, 'signed-out');
  }, 60_000);
});
