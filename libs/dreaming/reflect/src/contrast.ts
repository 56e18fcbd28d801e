import type { Condition, Rule } from '@reverie/playbooks-domain';
import { callFeatures, type CallFeatures, type CallRecord } from '@reverie/tool-rules';
import type { ReviewedSession } from './localise';
import { matchEvidence } from './offline-check';
import { sessionCalls } from './session-calls';

/** A lesson the general reflector drew, with the rule that checks it and its evidence. */
export interface MinedEntry {
  /** The role whose calls it is about (the calls' actor), null when they had none. */
  role: string | null;
  /** What the builtin miner found, or `model` for an entry the model reflector proposed. */
  kind: 'reshape_arg' | 'call_first' | 'step_order' | 'retry_after' | 'model';
  title: string;
  guidance: string;
  rationale: string;
  rule: Rule;
  /** Training sessions where the condition matched a call: failed and successful ones. */
  evidence: { failed: number; succeeded: number; sessionIds: string[] };
}

interface Sample {
  session: ReviewedSession;
  calls: CallRecord[];
  index: number;
  features: CallFeatures;
}

/** Failures a pattern must explain at least, in distinct sessions. */
const MIN_SUPPORT = 2;

const tool = (name: string): Condition => ({ feature: 'tool', op: 'eq', value: name });
const countBy = <T>(xs: readonly T[], key: (x: T) => string) => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
};
const sessionsOf = (xs: readonly Sample[]) => new Set(xs.map((x) => x.session.id)).size;

function samples(sessions: readonly ReviewedSession[]): Sample[] {
  return sessions.flatMap((session) => {
    const { calls } = sessionCalls(session.events);
    return calls.map((_, index) => ({
      session,
      calls,
      index,
      features: callFeatures(calls, index),
    }));
  });
}

const call = (s: Sample) => s.calls[s.index];
const alnum = (shape: string) => shape.replace(/[^dAa]/g, '').length;
const actorOf = (xs: readonly Sample[]) => countBy(xs, (x) => call(x).actor ?? '')[0]?.[0] || null;

/** An argument written in a shape that is refused, where successful calls used another. */
function reshapeEntries(
  t: string,
  code: string,
  failed: Sample[],
  ok: Sample[],
): Omit<MinedEntry, 'evidence'>[] {
  const out: Omit<MinedEntry, 'evidence'>[] = [];
  const args = new Set(failed.flatMap((f) => Object.keys(call(f).args)));
  for (const arg of args) {
    const key = `arg.${arg}.shape`;
    const okShapes = countBy(
      ok.filter((s) => typeof s.features[key] === 'string'),
      (s) => String(s.features[key]),
    );
    if (!okShapes.length) continue;
    for (const [bad, n] of countBy(failed, (f) => String(f.features[key] ?? ''))) {
      if (!bad || n < MIN_SUPPORT || okShapes.some(([s]) => s === bad)) continue;
      if (['number', 'boolean', 'text', 'null', 'list', 'object'].includes(bad)) continue;
      // A reshape writes the same content another way: as many letters and digits either way
      // (a date reordered, a code upper-cased), not another value ('basic' vs 'standard').
      const good = okShapes.find(([s]) => alnum(s) === alnum(bad))?.[0];
      if (!good) continue;
      const example = String(call(ok.find((s) => s.features[key] === good)!).args[arg]);
      out.push({
        role: actorOf(failed),
        kind: 'reshape_arg',
        title: `Write ${arg} for ${t} as ${good}`,
        guidance: `When calling ${t}, write ${arg} in the form ${good} (for example ${example}). Values written as ${bad} were refused with ${code}.`,
        rationale: `${t} calls with ${arg} shaped ${bad} failed with ${code}; calls shaped ${good} succeeded.`,
        rule: {
          when: { all: [tool(t), { feature: key, op: 'eq', value: bad }] },
          then: { action: 'reshape_arg', params: { arg, shape: good } },
        },
      });
    }
  }
  return out;
}

/** A numeric argument above which the precondition matters, when the data draw that line. */
function threshold(failed: Sample[], okWithout: Sample[]): { arg: string; above: number } | null {
  const args = Object.keys(failed[0]?.features ?? {}).filter((k) => /^arg\.[^.]+$/.test(k));
  for (const key of args) {
    const f = failed.map((s) => s.features[key]).filter((v): v is number => typeof v === 'number');
    const o = okWithout
      .map((s) => s.features[key])
      .filter((v): v is number => typeof v === 'number');
    if (f.length !== failed.length || !o.length) continue;
    const maxOk = Math.max(...o);
    if (Math.min(...f) > maxOk) return { arg: key, above: maxOk };
  }
  return null;
}

/** A tool that successful calls had made before, and failed calls had not. */
function preconditionEntries(
  t: string,
  code: string,
  failed: Sample[],
  ok: Sample[],
): Omit<MinedEntry, 'evidence'>[] {
  const priors = new Set(
    ok.flatMap((s) => Object.keys(s.features).filter((k) => k.startsWith('prior.'))),
  );
  const out: Omit<MinedEntry, 'evidence'>[] = [];
  for (const p of priors) {
    if (failed.some((f) => f.features[p] === true)) continue;
    const pre = p.slice('prior.'.length);
    const cut = threshold(
      failed,
      ok.filter((s) => s.features[p] !== true),
    );
    const when: Condition = {
      all: [
        tool(t),
        { not: { feature: p, op: 'exists' } },
        ...(cut ? [{ feature: cut.arg, op: 'gt' as const, value: cut.above }] : []),
      ],
    };
    const above = cut ? ` when ${cut.arg.slice(4)} is above ${cut.above}` : '';
    out.push({
      role: actorOf(failed),
      kind: 'call_first',
      title: `Call ${pre} before ${t}${above}`,
      guidance: `Before calling ${t}${above}, call ${pre} first. Without it ${t} failed with ${code}.`,
      rationale: `Every ${t} call that failed with ${code} came without an earlier ${pre}; ${t} calls after ${pre} succeeded.`,
      rule: { when, then: { action: 'call_first', params: { tool: pre } } },
    });
  }
  return out;
}

/** A tool that came after the failed calls, and never after a successful one: do it first. */
function orderEntries(
  t: string,
  code: string,
  failed: Sample[],
  ok: Sample[],
): Omit<MinedEntry, 'evidence'>[] {
  const laters = new Set(
    failed.flatMap((s) => Object.keys(s.features).filter((k) => k.startsWith('later.'))),
  );
  const out: Omit<MinedEntry, 'evidence'>[] = [];
  for (const l of laters) {
    if (!failed.every((f) => f.features[l] === true) || ok.some((s) => s.features[l] === true))
      continue;
    const u = l.slice('later.'.length);
    out.push({
      role: actorOf(failed),
      kind: 'step_order',
      title: `Do ${u} before ${t}`,
      guidance: `When a task needs both ${u} and ${t}, call ${u} first. ${t} failed with ${code} whenever ${u} was still to come.`,
      rationale: `${t} failed with ${code} in every session where ${u} came after it, and never when it did not.`,
      rule: {
        when: { all: [tool(t), { feature: l, op: 'exists' }] },
        then: { action: 'call_first', params: { tool: u } },
      },
    });
  }
  return out;
}

/** An error that a retry at once met again, with a back-off hint or a wait that worked. */
function retryEntries(
  t: string,
  code: string,
  failed: Sample[],
  ok: Sample[],
): Omit<MinedEntry, 'evidence'>[] {
  const quickRetries = failed.filter((f) => f.features.retry === true && call(f).waitedMs === 0);
  const hints = failed.map((f) => call(f).retryAfterMs).filter((v): v is number => v !== null);
  const waitedOk = ok
    .filter((s) => s.features.retry === true && call(s).waitedMs > 0)
    .map((s) => call(s).waitedMs);
  if (sessionsOf(quickRetries) < MIN_SUPPORT || (!hints.length && !waitedOk.length)) return [];
  const waitMs = Math.max(...hints, ...waitedOk);
  return [
    {
      role: actorOf(failed),
      kind: 'retry_after',
      title: `Back off before retrying ${t} after ${code}`,
      guidance: `When ${t} answers ${code}, wait ${waitMs} ms${hints.length ? ' (the retry_after_ms it gives)' : ''} before retrying, up to 3 times. Retrying at once failed again.`,
      rationale: `${sessionsOf(quickRetries)} session(s) retried ${t} at once after ${code} and failed again.`,
      rule: {
        when: { all: [tool(t), { feature: 'error', op: 'eq', value: code }] },
        then: { action: 'retry_after', params: { wait_ms: waitMs, max_retries: 3 } },
      },
    },
  ];
}

/**
 * The builtin general reflector: mines what separates failed from successful tool calls over
 * general features (tool names, argument shapes, orderings, retries, actors, error codes) in any
 * agent's sessions, per tool and error code, into entries with readable guidance, a rule an agent
 * can check, and the evidence (failed and successful training sessions where the rule matches).
 */
export function mineEntries(train: readonly ReviewedSession[]): MinedEntry[] {
  const all = samples(train);
  const failedCalls = all.filter((s) => !call(s).ok && call(s).errorCode);
  const out: MinedEntry[] = [];
  for (const [key] of countBy(failedCalls, (s) => `${call(s).tool}\u0000${call(s).errorCode}`)) {
    const [t, code] = key.split('\u0000');
    const failed = failedCalls.filter((s) => call(s).tool === t && call(s).errorCode === code);
    if (sessionsOf(failed) < MIN_SUPPORT) continue;
    const ok = all.filter((s) => call(s).tool === t && call(s).ok);
    const firstTries = failed.filter((f) => f.features.retry !== true);
    const drafts = [
      ...retryEntries(t, code, failed, ok),
      ...reshapeEntries(t, code, firstTries, ok),
      ...preconditionEntries(t, code, firstTries, ok),
      ...orderEntries(t, code, firstTries, ok),
    ];
    for (const d of drafts) out.push({ ...d, evidence: matchEvidence(d.rule, train) });
  }
  return out.filter((e) => e.evidence.failed >= MIN_SUPPORT);
}
