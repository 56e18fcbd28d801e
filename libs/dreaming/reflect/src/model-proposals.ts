import {
  applyDeltas,
  deltaSchema,
  PlaybookError,
  type Delta,
  type PlaybookBase,
  type Rule,
} from '@reverie/playbooks-domain';
import type { ReviewedSession } from './localise';
import { checkOnHeldOut, type HeldOutCheck } from './offline-check';

/** A delta a model proposed that passed every check, for one playbook of the agent. */
export interface AcceptedProposal {
  role: string | null;
  delta: Extract<Delta, { kind: 'add' | 'update' | 'merge' | 'retire' }>;
  /** The entry's title (add) or the title of the entry it changes. */
  title: string;
  /** Why, in the model's words (cut), for the change record. */
  reason: string;
  /** The held-out check of the rule it adds or sets, when it adds or sets one. */
  check: HeldOutCheck | null;
}

export interface RefusedProposal {
  /** The proposal's position in the model's answer, from 0. */
  index: number;
  title: string;
  reason: string;
}

export interface ProposalReview {
  accepted: AcceptedProposal[];
  refused: RefusedProposal[];
  /** Set when the answer as a whole is unusable (no tool call, no list): nothing was accepted. */
  malformed: string | null;
}

export interface ProposalContext {
  /** The current playbook of each role the dream writes (null: none yet). */
  playbooks: ReadonlyMap<string | null, PlaybookBase | null>;
  /** Held-out sessions (never shown to the model) every new rule is checked on. */
  heldOut: readonly ReviewedSession[];
  /** Sessions the model was shown: evidence may only cite these. */
  shown: ReadonlySet<string>;
}

/** Proposals read from one answer, at most. */
export const MAX_PROPOSALS = 20;

const TRIAL_AUTHOR = { kind: 'dream' as const, id: 'model-proposal-check' };
const TRIAL_TIME = '2000-01-01T00:00:00.000Z';
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The first zod issue, in one line a report can show. */
function firstIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  return i ? `${i.path.map(String).join('.') || 'delta'}: ${i.message}` : 'invalid';
}

/**
 * Reviews the deltas a model proposed (`{ proposals: [{ role, delta, reason }] }`, the tool's
 * input) before any of them can reach curate. Each is refused, with the reason, when:
 * - its shape is wrong (not an add, update, merge or retire in the playbook delta form; a role the
 *   dream does not write);
 * - it names an entry id the role's playbook does not hold live;
 * - an add carries no rule (the offline check needs a condition), or the rule it adds or sets
 *   does not pick out held-out failed sessions better than successful ones (`checkOnHeldOut`);
 * - a retire removes an entry whose condition the held-out check still finds useful;
 * - the playbook would refuse it (content guards, limits), applied after the proposals before it.
 * Evidence may only cite sessions the model was shown; other ids are dropped.
 */
export function reviewProposals(answer: unknown, ctx: ProposalContext): ProposalReview {
  const items = isRecord(answer) ? answer['proposals'] : undefined;
  if (!Array.isArray(items))
    return {
      accepted: [],
      refused: [],
      malformed: isRecord(answer)
        ? 'the answer has no "proposals" list'
        : 'the answer is not an object with a "proposals" list',
    };
  const accepted: AcceptedProposal[] = [];
  const refused: RefusedProposal[] = [];
  const trial = new Map<string | null, PlaybookBase>();
  const base = (role: string | null): PlaybookBase =>
    trial.get(role) ??
    ctx.playbooks.get(role) ?? {
      playbookId: 'model-proposal-check',
      agentId: 'model-proposal-check',
      version: 0,
      entries: [],
    };
  items.forEach((item, index) => {
    if (index >= MAX_PROPOSALS) {
      refused.push({
        index,
        title: '?',
        reason: `only the first ${MAX_PROPOSALS} proposals are read`,
      });
      return;
    }
    const r = reviewOne(item, ctx, base);
    if ('reason' in r && !('delta' in r)) {
      refused.push({ index, title: r.title, reason: r.reason });
      return;
    }
    const ok = r as AcceptedProposal;
    try {
      trial.set(ok.role, applyDeltas(base(ok.role), [ok.delta], TRIAL_AUTHOR, TRIAL_TIME));
    } catch (e) {
      if (!(e instanceof PlaybookError)) throw e;
      refused.push({
        index,
        title: ok.title,
        reason: `the playbook would refuse it: ${clip(e.message, 300)}`,
      });
      return;
    }
    accepted.push(ok);
  });
  return { accepted, refused, malformed: null };
}

function reviewOne(
  item: unknown,
  ctx: ProposalContext,
  base: (role: string | null) => PlaybookBase,
): AcceptedProposal | { title: string; reason: string } {
  if (!isRecord(item)) return { title: '?', reason: 'not an object' };
  const rawDelta = isRecord(item['delta']) ? item['delta'] : null;
  const guessTitle = rawDelta
    ? String(
        (isRecord(rawDelta['entry']) && rawDelta['entry']['title']) ||
          rawDelta['id'] ||
          rawDelta['into'] ||
          '?',
      ).slice(0, 120)
    : '?';
  const role = item['role'] === undefined ? null : item['role'];
  if (role !== null && typeof role !== 'string')
    return { title: guessTitle, reason: 'role must be a string or null' };
  if (!ctx.playbooks.has(role))
    return {
      title: guessTitle,
      reason: `role "${String(role)}" is not a playbook this dream writes (${[...ctx.playbooks.keys()].map((k) => k ?? 'null').join(', ')})`,
    };
  if (!rawDelta) return { title: guessTitle, reason: 'no "delta" object' };
  if (rawDelta['kind'] === 'record_outcome')
    return {
      title: guessTitle,
      reason: "record_outcome is the dream's own bookkeeping, not a proposal",
    };
  const parsed = deltaSchema.safeParse(rawDelta);
  if (!parsed.success)
    return {
      title: guessTitle,
      reason: `not a playbook delta: ${clip(firstIssue(parsed.error), 300)}`,
    };
  const reason = clip(
    typeof item['reason'] === 'string' && item['reason'].trim()
      ? item['reason'].trim().replace(/\s+/g, ' ')
      : 'proposed by the model reflector',
    500,
  );
  const live = new Map(
    base(role)
      .entries.filter((e) => e.status !== 'retired')
      .map((e) => [e.id, e]),
  );
  const unknown = (ids: string[]) => ids.filter((id) => !live.has(id));
  const held = (rule: Rule) => checkOnHeldOut(rule, ctx.heldOut);
  const d = parsed.data;
  switch (d.kind) {
    case 'add': {
      const { title, guidance, rationale, rule } = d.entry;
      if (!rule)
        return {
          title,
          reason:
            'an added entry needs a rule: without a condition the held-out check cannot test it',
        };
      const check = held(rule);
      if (!check.accepted)
        return { title, reason: `refused by the held-out check: ${check.reason}` };
      const evidence = d.entry.evidence.filter((e) => ctx.shown.has(e.sessionId));
      return {
        role,
        title,
        reason,
        check,
        delta: { kind: 'add', entry: { title, guidance, rationale, rule, evidence } },
      };
    }
    case 'update':
    case 'retire': {
      const missing = unknown([d.id]);
      if (missing.length)
        return {
          title: d.id,
          reason: `unknown entry id "${d.id}" in the ${role ?? 'agent'} playbook`,
        };
      const entry = live.get(d.id)!;
      if (d.kind === 'retire') {
        const check = entry.rule ? held(entry.rule) : null;
        if (check?.accepted)
          return {
            title: entry.title,
            reason: `not retired: the held-out check still finds its condition picks out failures (${check.reason})`,
          };
        return {
          role,
          title: entry.title,
          reason,
          check,
          delta: { ...d, reason: d.reason ?? reason },
        };
      }
      if (d.patch.rule === null)
        return {
          title: entry.title,
          reason:
            "removing an entry's rule is not an update: propose a retire, which the held-out check reviews",
        };
      const check = d.patch.rule ? held(d.patch.rule) : null;
      if (check && !check.accepted)
        return { title: entry.title, reason: `refused by the held-out check: ${check.reason}` };
      const cited = (list: { sessionId: string }[] | undefined) =>
        list?.filter((e) => ctx.shown.has(e.sessionId));
      const patch = {
        ...d.patch,
        ...(d.patch.evidence && { evidence: cited(d.patch.evidence) }),
        ...(d.patch.addEvidence && { addEvidence: cited(d.patch.addEvidence) }),
      };
      return { role, title: entry.title, reason, check, delta: { ...d, patch } };
    }
    case 'merge': {
      const missing = unknown([d.into, ...d.from]);
      if (missing.length)
        return {
          title: d.into,
          reason: `unknown entry id(s) ${missing.map((m) => `"${m}"`).join(', ')} in the ${role ?? 'agent'} playbook`,
        };
      if (d.from.includes(d.into))
        return { title: d.into, reason: 'an entry cannot be merged into itself' };
      const check = d.patch?.rule ? held(d.patch.rule) : null;
      if (check && !check.accepted)
        return {
          title: live.get(d.into)!.title,
          reason: `refused by the held-out check: ${check.reason}`,
        };
      return {
        role,
        title: live.get(d.into)!.title,
        reason,
        check,
        delta: { ...d, reason: d.reason ?? reason },
      };
    }
  }
  return { title: guessTitle, reason: `unsupported delta kind "${String(rawDelta['kind'])}"` };
}
