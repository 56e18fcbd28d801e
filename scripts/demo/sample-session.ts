/**
 * The API part of `npm start` (scripts/demo.sh): sends one sample session through a running
 * session gateway, waits until the ingest consumer has stored it, then prints it back as stored.
 *
 *   REVERIE_API_URL=http://127.0.0.1:3000 REVERIE_API_KEY=rvk_... \
 *     node -r @swc-node/register scripts/demo/sample-session.ts
 *
 * Plain fetch, no Reverie imports: this is what any client of the REST API would do. Expected
 * failures (HTTP errors, nothing listening, not stored in time) end with one line and exit 1.
 */

type Json = Record<string, unknown>;
type EventBody = Json & { clientEventId: string; type: string };

class DemoError extends Error {}

const API_URL = (process.env.REVERIE_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const API_KEY = process.env.REVERIE_API_KEY ?? '';
const STORE_TIMEOUT_MS = Number(process.env.REVERIE_DEMO_STORE_TIMEOUT_MS ?? 30_000);

const say = (line = '') => process.stdout.write(`${line}\n`);

async function api<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${API_URL}${path}`, {
      method,
      headers: {
        'x-api-key': API_KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new DemoError(
      `${method} ${path}: no answer from ${API_URL} (${cause?.code ?? cause?.message ?? (err as Error).message})`,
    );
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text for the error message
  }
  if (!response.ok) {
    const error = (parsed as { error?: { type?: string; message?: string } } | undefined)?.error;
    const detail = error ? `${error.type}: ${error.message}` : String(text).slice(0, 200);
    throw new DemoError(`${method} ${path} answered ${response.status} (${detail})`);
  }
  return parsed as T;
}

// ---------------------------------------------------------------------------------------------
// the sample: a three-role agent landing a module on the Moon

function sampleEvents(): EventBody[] {
  const t0 = Date.now() - 60_000;
  const at = (s: number) => new Date(t0 + s * 1_000).toISOString();
  return [
    {
      clientEventId: 'ev-01',
      type: 'message',
      role: 'user',
      actor: 'mission-control',
      content: 'Land in zone B of Mare Tranquillitatis; touch down below 2 m/s.',
      step: 0,
      occurredAt: at(0),
    },
    {
      clientEventId: 'ev-02',
      type: 'message',
      role: 'agent',
      actor: 'commander',
      to: 'navigator',
      content: 'Plot a descent from 15 km to zone B. Fuel is at 38%.',
      step: 1,
      occurredAt: at(2),
    },
    {
      clientEventId: 'ev-03',
      type: 'tool_call',
      actor: 'navigator',
      toolCallId: 'call-1',
      name: 'compute_trajectory',
      input: { altitudeM: 15_000, fuelPct: 38, target: 'zone-B' },
      step: 1,
      occurredAt: at(3),
    },
    {
      clientEventId: 'ev-04',
      type: 'tool_result',
      actor: 'navigator',
      toolCallId: 'call-1',
      output: { burns: 2, etaS: 412, fuelAtTouchdownPct: 11 },
      step: 1,
      occurredAt: at(5),
    },
    {
      clientEventId: 'ev-05',
      type: 'message',
      role: 'agent',
      actor: 'navigator',
      to: 'commander',
      content: 'Two burns planned; touchdown in ~7 min with 11% fuel.',
      step: 1,
      occurredAt: at(6),
    },
    {
      clientEventId: 'ev-06',
      type: 'action',
      actor: 'commander',
      name: 'fire_thruster',
      params: { thrust: 0.6, durationS: 30 },
      step: 2,
      occurredAt: at(8),
    },
    {
      clientEventId: 'ev-07',
      type: 'observation',
      actor: 'detector',
      data: { altitudeM: 9_800, verticalSpeedMs: -42, fuelPct: 33 },
      step: 2,
      occurredAt: at(40),
    },
    {
      clientEventId: 'ev-08',
      type: 'message',
      role: 'agent',
      actor: 'detector',
      to: 'commander',
      content: 'Boulders 200 m east of target; west edge of zone B is clear.',
      step: 3,
      occurredAt: at(44),
    },
    {
      clientEventId: 'ev-09',
      type: 'error',
      actor: 'navigator',
      code: 'SENSOR_TIMEOUT',
      message: 'Radar altimeter timed out; using the inertial estimate.',
      step: 3,
      occurredAt: at(45),
    },
    {
      clientEventId: 'ev-10',
      type: 'action',
      actor: 'commander',
      name: 'adjust_heading',
      params: { degrees: -12 },
      step: 4,
      occurredAt: at(47),
    },
    {
      clientEventId: 'ev-11',
      type: 'observation',
      actor: 'detector',
      data: { altitudeM: 0, verticalSpeedMs: -1.4, fuelPct: 9, contact: true },
      step: 5,
      occurredAt: at(55),
    },
    {
      clientEventId: 'ev-12',
      type: 'message',
      role: 'agent',
      actor: 'commander',
      to: 'mission-control',
      content: 'Touchdown in zone B at 1.4 m/s, 9% fuel left.',
      step: 5,
      occurredAt: at(56),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// printing

const oneLine = (s: string, max: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const compact = (value: unknown): string => {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Json)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(' ');
  }
  return JSON.stringify(value);
};

function summarize(e: Json): string {
  switch (e.type) {
    case 'message':
      // Agent-to-agent messages read as "→ navigator: ..."; others show the role.
      return (
        `${e.role === 'agent' && e.to ? '' : `${e.role} `}${e.to ? `→ ${e.to}` : ''}`.trim() +
        `: "${e.content}"`
      );
    case 'tool_call':
      return `${e.name}(${compact(e.input)}) [${e.toolCallId}]`;
    case 'tool_result':
      return `[${e.toolCallId}]${e.isError ? ' ERROR' : ''} → ${compact(e.output)}`;
    case 'observation':
      return compact(e.data);
    case 'action':
      return `${e.name}${e.params ? ` ${compact(e.params)}` : ''}`;
    case 'error':
      return `${e.code ? `${e.code}: ` : ''}${e.message}`;
    default:
      return JSON.stringify(e);
  }
}

/** Columns padded to their widest cell; the last one is cut to fit the terminal (or 120). */
function table(headers: string[], rows: string[][]): string[] {
  const width = process.stdout.isTTY ? process.stdout.columns : 120;
  const fixed = headers
    .slice(0, -1)
    .map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2)
    .reduce((a, b) => a + b, 2);
  const maxLast = Math.max(40, width - fixed - 1);
  const cells = rows.map((r) => r.map((c, i) => (i === r.length - 1 ? oneLine(c, maxLast) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '─'.repeat(w))), ...cells.map(fmt)];
}

const indent = (lines: string[]) => lines.forEach((l) => say(`  ${l}`));

// ---------------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function allEvents(sessionId: string): Promise<Json[]> {
  const events: Json[] = [];
  let after = 0;
  for (;;) {
    const page = await api<{ data: Json[]; has_more: boolean; last_seq: number | null }>(
      'GET',
      `/v1/sessions/${sessionId}/events?after_seq=${after}&limit=1000`,
    );
    events.push(...page.data);
    if (!page.has_more || page.last_seq === null) return events;
    after = page.last_seq;
  }
}

async function main(): Promise<void> {
  if (!API_KEY) throw new DemoError('REVERIE_API_KEY is not set');
  const suffix = Math.random().toString(36).slice(2, 6);

  const agent = await api('POST', '/v1/agents', {
    name: `moon-lander-${suffix}`,
    description:
      'Lands a module on the Moon: one role commands, one watches, one plots the course.',
    roles: [
      { name: 'commander', description: 'Decides and fires the thrusters.' },
      { name: 'detector', description: 'Reads the sensors and reports hazards.' },
      { name: 'navigator', description: 'Plots trajectories and corrections.' },
    ],
    model: { provider: 'builtin' },
    dreaming: {
      enabled: true,
      frequency: 'daily',
      timezone: 'UTC',
      window: { start: '01:00', end: '05:00' },
    },
  });
  const dreaming = agent.dreaming as { frequency: string; window?: { start: string; end: string } };
  say(
    `agent     ${agent.id}  ${agent.name}  roles ${(agent.roles as { name: string }[]).map((r) => r.name).join('/')}` +
      `  dreaming ${dreaming.frequency} ${dreaming.window ? `${dreaming.window.start}–${dreaming.window.end}` : ''}`.trimEnd(),
  );

  const session = await api('POST', '/v1/sessions', {
    agentId: agent.id,
    title: 'Descent to Mare Tranquillitatis, zone B',
    metadata: { scenario: 'lunar-descent', demo: true },
  });
  const sessionId = session.id as string;
  say(`session   ${sessionId}  status ${session.status}`);

  const events = sampleEvents();
  const accepted = await api<{ accepted: number; events: { clientEventId: string; id: string }[] }>(
    'POST',
    `/v1/sessions/${sessionId}/events`,
    { events },
  );
  const types = [...new Set(events.map((e) => e.type))].join(', ');
  say(`events    ${accepted.accepted} accepted (${types})`);

  const again = events[6]; // ev-07
  const resent = await api<{ accepted: number; events: { clientEventId: string; id: string }[] }>(
    'POST',
    `/v1/sessions/${sessionId}/events`,
    { events: [again] },
  );
  const firstId = accepted.events.find((e) => e.clientEventId === 'ev-07')?.id;
  say(
    `re-send   ev-07 again → ${resent.events[0].id}` +
      (resent.events[0].id === firstId
        ? ' (same id as the first time)'
        : ` (first time: ${firstId})`),
  );

  await api('POST', `/v1/sessions/${sessionId}/feedback`, {
    rating: 'positive',
    comment: 'Soft landing, and a good call on the boulder field.',
  });
  await api('POST', `/v1/sessions/${sessionId}/feedback`, {
    rating: 'negative',
    eventId: 'ev-09',
    comment: 'Cross-check the altimeter before the second burn, not after.',
  });
  say('feedback  2 sent (one on the session, one on event ev-09)');

  const ended = await api('POST', `/v1/sessions/${sessionId}/end`, {
    status: 'completed',
    reason: 'landed in zone B',
  });
  say(`end       status ${ended.status}`);

  // The gateway acknowledges once Kafka has the messages; the ingest consumer stores them.
  const expected = events.length;
  const started = Date.now();
  let stored: Json[] = [];
  let feedback: Json[] = [];
  let record: Json = ended;
  for (;;) {
    [record, stored, feedback] = await Promise.all([
      api('GET', `/v1/sessions/${sessionId}`),
      allEvents(sessionId),
      api<{ data: Json[] }>('GET', `/v1/sessions/${sessionId}/feedback`).then((r) => r.data),
    ]);
    if (stored.length >= expected && record.eventCount === stored.length && feedback.length >= 2)
      break;
    if (Date.now() - started > STORE_TIMEOUT_MS) {
      throw new DemoError(
        `not all stored after ${STORE_TIMEOUT_MS / 1000}s: ${stored.length}/${expected} events ` +
          `(session eventCount ${record.eventCount}), ${feedback.length}/2 feedback; ` +
          'see the session-gateway log',
      );
    }
    await sleep(250);
  }
  say(`stored    after ${((Date.now() - started) / 1000).toFixed(1)}s`);

  // ---- the session as stored
  const copies = stored.filter((e) => e.clientEventId === 'ev-07').length;
  say();
  say(`Session ${record.id} as stored — "${record.title}"`);
  say(
    `  status ${record.status}  eventCount ${record.eventCount}  source ${record.source}` +
      `  agent ${agent.name} (${record.agentId})`,
  );
  say(
    `  created ${record.createdAt}  ended ${record.endedAt ?? '—'}` +
      (record.endReason ? `  reason "${record.endReason}"` : ''),
  );
  say();
  indent(
    table(
      ['seq', 'type', 'actor', 'step', 'summary'],
      stored.map((e) => [
        String(e.seq).padStart(3),
        String(e.type),
        String(e.actor ?? '—'),
        e.step === undefined ? '—' : String(e.step),
        summarize(e),
      ]),
    ),
  );
  say();
  say(
    `  ${stored.length} events stored for ${expected + 1} sent; ev-07 was sent twice and is stored ` +
      `${copies === 1 ? 'once' : `${copies} times (!)`}; seq runs ` +
      `${stored.every((e, i) => e.seq === i + 1) ? `1..${stored.length} with no gaps` : 'with gaps (!)'}.`,
  );
  say();
  say('Feedback');
  indent(
    table(
      ['rating', 'on', 'comment'],
      feedback.map((f) => [
        String(f.rating),
        String(f.eventId ?? 'session'),
        String(f.comment ?? ''),
      ]),
    ),
  );
  if (copies !== 1 || stored.length !== expected) {
    throw new DemoError(
      `the stored session is not what was sent: ${stored.length} events (expected ${expected}), ev-07 stored ${copies} times`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    if (err instanceof DemoError) process.stderr.write(`demo: ${err.message}\n`);
    else process.stderr.write(`demo: unexpected failure: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
