import type { SessionEventBody } from '@reverie/contracts';
import type { ExternalLocalisation, ReviewedSession } from './localise';

/** Characters one rendered event may take before its payload is cut. */
const LINE_CHARS = 240;
/** Events kept either side of the localised step when a transcript is sampled. */
const NEIGHBOURHOOD = 3;
/** The most one `… N event(s) omitted …` line takes. */
const GAP_CHARS = 32;

/** A session as the model reflector reads it: its verdict, then one line per event. */
export interface CompactTranscript {
  sessionId: string;
  succeeded: boolean;
  text: string;
  /** Null when the whole transcript fit; otherwise what was cut and how. */
  cut: {
    totalEvents: number;
    keptEvents: number;
    originalChars: number;
    how: string;
  } | null;
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** One event in one line: `[i] step actor type name payload`, newlines flattened, payload cut. */
function renderEvent(e: SessionEventBody, i: number, lineChars: number): string {
  const rest: Record<string, unknown> = { ...(e as Record<string, unknown>) };
  for (const k of ['type', 'step', 'actor', 'clientEventId', 'occurredAt', 'iteration', 'name'])
    delete rest[k];
  const name = 'name' in e && typeof e.name === 'string' ? ` ${e.name}` : '';
  const head = `[${i}] ${e.step !== undefined ? `s${e.step}` : 's?'} ${e.actor ?? '-'} ${e.type}${name}`;
  let payload: string;
  try {
    payload = JSON.stringify(rest) ?? '';
  } catch {
    payload = '"(unserialisable)"';
  }
  return clip(`${head} ${payload}`.replace(/\s+/g, ' '), lineChars);
}

/** The index of the first failed tool result or reported error, or -1. */
function firstErrorIndex(events: readonly SessionEventBody[]): number {
  return events.findIndex(
    (e) => (e.type === 'tool_result' && e.isError === true) || e.type === 'error',
  );
}

function header(s: ReviewedSession, localisation: ExternalLocalisation | null): string[] {
  const lines = [
    `session ${s.id} (${s.kind}): ${s.succeeded ? 'SUCCEEDED' : 'FAILED'}, ${s.events.length} event(s)`,
  ];
  if (!s.succeeded) {
    lines.push(
      `failed criteria: ${s.failedCriteria.length ? s.failedCriteria.map((c) => `${c.id}${c.step !== null ? ` (step ${c.step})` : ''}`).join(', ') : 'none recorded'}`,
    );
    if (localisation)
      lines.push(
        `localised: step ${localisation.step ?? '?'}, actor ${localisation.actor ?? '?'}, by ${localisation.method} (confidence ${localisation.confidence.toFixed(2)}): ${clip(localisation.detail, 200)}`,
      );
  }
  const negative = s.feedback.filter((f) => f.rating === 'negative');
  if (negative.length)
    lines.push(
      `negative feedback: ${negative
        .slice(0, 3)
        .map((f) => `step ${f.step ?? '?'}${f.comment ? ` "${clip(f.comment, 120)}"` : ''}`)
        .join('; ')}`,
    );
  return lines.map((l) => l.replace(/[\r\n]+/g, ' '));
}

/** Joins kept event lines, marking each gap with how many events it leaves out. */
function withGaps(lines: readonly string[], keep: ReadonlySet<number>): string[] {
  const out: string[] = [];
  let gap = 0;
  lines.forEach((line, i) => {
    if (keep.has(i)) {
      if (gap) out.push(`… ${gap} event(s) omitted …`);
      gap = 0;
      out.push(line);
    } else gap++;
  });
  if (gap) out.push(`… ${gap} event(s) omitted …`);
  return out;
}

const size = (lines: readonly string[]) => lines.reduce((n, l) => n + l.length + 1, 0);

/**
 * A session's transcript for the model, within `maxChars`. When the whole transcript is too large
 * it is sampled: the verdict (header), the first and last events, the first error, and the events
 * around the localised step are always kept (with shorter lines if even they do not fit), then
 * events spread evenly over the rest while the budget lasts; each gap says how many events it
 * leaves out, and `cut` says how it was cut, for the dream's report.
 */
export function compactTranscript(
  session: ReviewedSession,
  localisation: ExternalLocalisation | null,
  maxChars: number,
): CompactTranscript {
  const head = header(session, localisation);
  const full = session.events.map((e, i) => renderEvent(e, i, LINE_CHARS));
  const whole = [...head, ...full];
  const originalChars = size(whole);
  if (originalChars <= maxChars)
    return {
      sessionId: session.id,
      succeeded: session.succeeded,
      text: whole.join('\n'),
      cut: null,
    };

  const n = session.events.length;
  const must = new Set<number>([0, 1, n - 2, n - 1].filter((i) => i >= 0 && i < n));
  const firstError = firstErrorIndex(session.events);
  const around = (i: number) => {
    for (let j = Math.max(0, i - NEIGHBOURHOOD); j <= Math.min(n - 1, i + NEIGHBOURHOOD); j++)
      must.add(j);
  };
  if (firstError >= 0) {
    must.add(firstError);
    if (firstError > 0) must.add(firstError - 1);
  }
  const step = localisation?.step ?? null;
  if (step !== null) {
    const at = session.events.findIndex((e) => e.step === step);
    if (at >= 0) around(at);
  }

  // The kept events first, shortening their lines until they fit with the header.
  let lineChars = LINE_CHARS;
  let lines = full;
  while (size([...head, ...withGaps(lines, must)]) > maxChars && lineChars > 60) {
    lineChars = Math.floor(lineChars / 2);
    lines = session.events.map((e, i) => renderEvent(e, i, lineChars));
  }
  // Then events spread evenly over the rest, while the budget lasts. Each event added costs its
  // line and at most one more gap marker, so the running size is counted, not re-rendered.
  const keep = new Set(must);
  let used = size([...head, ...withGaps(lines, keep)]);
  const rest = [...Array(n).keys()].filter((i) => !keep.has(i));
  let stride = Math.max(1, Math.ceil(rest.length / 2));
  for (;;) {
    for (let k = 0; k < rest.length && used < maxChars; k += stride) {
      const i = rest[k];
      if (keep.has(i)) continue;
      const cost = lines[i].length + 1 + GAP_CHARS;
      if (used + cost > maxChars) continue;
      keep.add(i);
      used += cost;
    }
    if (stride === 1) break;
    stride = Math.max(1, Math.floor(stride / 2));
  }
  let text = [...head, ...withGaps(lines, keep)].join('\n');
  let hardCut = false;
  if (text.length > maxChars) {
    text = `${text.slice(0, Math.max(0, maxChars - 40))}\n… transcript cut at the budget …`;
    hardCut = true;
  }
  const parts = [
    `${keep.size} of ${n} events kept`,
    'the verdict, first and last events',
    ...(firstError >= 0 ? ['the first error'] : []),
    ...(step !== null ? [`the events around the localised step ${step}`] : []),
    ...(keep.size > must.size ? ['an even sample of the rest'] : []),
  ];
  return {
    sessionId: session.id,
    succeeded: session.succeeded,
    text,
    cut: {
      totalEvents: n,
      keptEvents: keep.size,
      originalChars,
      how: `sampled: ${parts.join(', ')}${lineChars < LINE_CHARS ? `; event lines cut to ${lineChars} characters` : ''}${hardCut ? '; the text was cut at the budget' : ''}`,
    },
  };
}
