import {
  applyDeltas,
  deriveEntryId,
  evidenceSchema,
  ENTRY_LIMITS,
  PlaybookError,
  retirementDeltas,
  stableJson,
  type Delta,
  type Evidence,
  type GuardOptions,
  type PlaybookBase,
  type PlaybookEntry,
  type RetirementPolicy,
  type Rule,
} from '@reverie/playbooks-domain';
import type { ChangeRecord } from './dream.types';

/** A lesson the reflect stage drafted: the content of an `add` delta. */
export interface EntryDraftInput {
  title: string;
  guidance: string;
  rationale: string;
  evidence: { sessionId: string; step?: number }[];
  rule?: Rule;
}

/** A session where an entry's rule fired (or the entry was cited), and how the session ended. */
export interface EntryUse {
  entryId: string;
  sessionId: string;
  succeeded: boolean;
}

export interface EntryStats {
  helpful: number;
  harmful: number;
  /** Every session that used the entry, in the order reported. */
  sessionIds: string[];
  /** Those of them that went badly. */
  harmfulSessionIds: string[];
}

export interface CurateOptions {
  /**
   * When an entry's counters (stored plus this dream's uses) retire it. Defaults to the playbooks'
   * `DEFAULT_RETIREMENT_POLICY`, the one policy every curator shares.
   */
  retirement?: Partial<RetirementPolicy>;
  /**
   * Every session the dream reviewed for this playbook, whether or not it used an entry. With it,
   * the counters retire an entry only when the sessions that used it went badly clearly more often
   * than those that did not (`RETIREMENT_CONTRAST`): an entry that acts in every session of a hard
   * task fails with the task, and its counters cannot tell that from harm. Without it (a caller that
   * has only the uses), the counters alone decide.
   */
  reviewed?: readonly { sessionId: string; succeeded: boolean }[];
  /** New entries one dream may add; the rest are skipped. Default 8. */
  maxAdds?: number;
  /** The content guard options the playbook is saved with, so what is returned also saves. */
  guard?: GuardOptions;
  /**
   * Update, merge and retire deltas a reflector proposed for existing entries (the model
   * reflector's), already reviewed by it: checked with the rest, after the retirements.
   */
  proposed?: readonly ProposedChange[];
}

/** A reviewed update, merge or retire of existing entries, with its title and reason. */
export interface ProposedChange {
  delta: Extract<Delta, { kind: 'update' | 'merge' | 'retire' }>;
  title: string;
  reason: string;
}

export interface CurateResult {
  /** In order: record_outcome, retire, update, add. They apply to `current` as one batch. */
  deltas: Delta[];
  /** One record per delta, with the reason and evidence. */
  changes: ChangeRecord[];
  /** Drafts (and uses) that produced no delta, and why. */
  skipped: { title: string; reason: string }[];
  /**
   * Entries the counters would retire that stay, because the reviewed sessions do not show them
   * hurting (`CurateOptions.reviewed`), and why.
   */
  kept: { title: string; reason: string }[];
}

export const DEFAULT_MAX_ADDS = 8;

/**
 * What `CurateOptions.reviewed` asks of an entry before its counters retire it: at least
 * `minOthers` reviewed sessions that did not use it, and a failure rate among the sessions that
 * used it at least `margin` above theirs.
 */
export const RETIREMENT_CONTRAST = { minOthers: 5, margin: 0.1 };

/**
 * Why the counters must not retire an entry this dream, or null when the reviewed sessions show
 * it hurting: it failed more often where it acted than where it did not.
 */
export function retirementContrast(
  stats: EntryStats | undefined,
  reviewed: readonly { sessionId: string; succeeded: boolean }[],
): string | null {
  const used = new Set(stats?.sessionIds ?? []);
  const others = reviewed.filter((s) => !used.has(s.sessionId));
  const users = reviewed.filter((s) => used.has(s.sessionId));
  if (others.length < RETIREMENT_CONTRAST.minOthers)
    return `acted in ${plural(users.length, 'session')} of the ${reviewed.length} reviewed, so too few sessions without it (${others.length}, at least ${RETIREMENT_CONTRAST.minOthers}) say whether it hurts or the task is hard`;
  const rate = (xs: typeof reviewed) =>
    xs.length ? xs.filter((s) => !s.succeeded).length / xs.length : 0;
  const withIt = rate(users);
  const without = rate(others);
  if (withIt < without + RETIREMENT_CONTRAST.margin)
    return `sessions with it went badly ${Math.round(withIt * 100)}% of the time, those without it ${Math.round(without * 100)}%: not clearly worse`;
  return null;
}

/**
 * Helpful and harmful sessions per entry. A session counts once per entry however many times the
 * rule fired in it (the first use reported decides).
 */
export function entryStats(uses: readonly EntryUse[]): Map<string, EntryStats> {
  const stats = new Map<string, EntryStats>();
  for (const use of uses) {
    const s = stats.get(use.entryId) ?? {
      helpful: 0,
      harmful: 0,
      sessionIds: [],
      harmfulSessionIds: [],
    };
    if (s.sessionIds.includes(use.sessionId)) continue;
    s.sessionIds.push(use.sessionId);
    if (use.succeeded) s.helpful++;
    else {
      s.harmful++;
      s.harmfulSessionIds.push(use.sessionId);
    }
    stats.set(use.entryId, s);
  }
  return stats;
}

const ruleKey = (rule: Rule | undefined) =>
  rule ? stableJson({ when: rule.when, then: rule.then }) : null;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Valid evidence only (an id the playbook accepts, a whole step), each once. */
function cleanEvidence(list: readonly { sessionId: string; step?: number }[]): Evidence[] {
  const seen = new Set<string>();
  const out: Evidence[] = [];
  for (const e of list) {
    const parsed = evidenceSchema.safeParse({
      sessionId: e.sessionId,
      ...(e.step !== undefined && { step: e.step }),
    });
    if (!parsed.success) continue;
    const key = stableJson(parsed.data);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(parsed.data);
  }
  return out;
}

interface PendingAdd {
  id: string;
  key: string | null;
  draft: EntryDraftInput;
  evidence: Evidence[];
  merged: number;
}

interface PendingUpdate {
  entry: PlaybookEntry;
  evidence: Evidence[];
  drafts: number;
  /** Set when the entry had no rule and a draft with the same text brings one. */
  rule?: Rule;
}

type Planned = { delta: Delta; change: ChangeRecord; title: string };

// Never stored: only the deltas' validity is checked against it.
const TRIAL_AUTHOR = { kind: 'dream' as const, id: 'curate-trial' };
const TRIAL_TIME = '2000-01-01T00:00:00.000Z';

/**
 * Turns a dream's drafts and the uses of existing entries into playbook deltas:
 *
 * - uses become `record_outcome` deltas (live entries only), and an entry whose counters then
 *   break the retirement policy gets a `retire` delta with the numbers as its reason;
 * - a draft with the rule of a live entry (or its title and guidance, so the same derived id)
 *   becomes an `update` adding its evidence, never a duplicate add; drafts repeating each other
 *   become one add with their evidence merged;
 * - a draft repeating a retired entry's rule or text, or an entry this dream retires, is skipped;
 * - at most `maxAdds` adds.
 *
 * Every delta returned is checked, in order, with `applyDeltas` against a playbook holding
 * `current`: one the playbook would refuse (content guard, budget, limits) is dropped and listed
 * in `skipped` with the refusal, so the batch always saves. `role` in changes is null; the caller
 * sets it per role.
 */
export function curate(
  current: readonly PlaybookEntry[],
  drafts: readonly EntryDraftInput[],
  uses: readonly EntryUse[],
  options: CurateOptions = {},
): CurateResult {
  const maxAdds = options.maxAdds ?? DEFAULT_MAX_ADDS;
  const skipped: CurateResult['skipped'] = [];
  const byId = new Map(current.map((e) => [e.id, e]));
  // An entry added with an id of its own still holds the text a draft would derive an id from.
  const byText = new Map<string, PlaybookEntry>();
  for (const e of current) byText.set(deriveEntryId(e), byText.get(deriveEntryId(e)) ?? e);
  for (const e of current) byText.set(e.id, byText.get(e.id) ?? e);

  // Outcomes and retirement.
  const outcomes: Planned[] = [];
  const projected: PlaybookEntry[] = [];
  const stats = entryStats(uses);
  for (const [id, s] of stats) {
    const entry = byId.get(id);
    if (!entry || entry.status === 'retired') {
      skipped.push({
        title: entry?.title ?? id,
        reason: entry
          ? `uses of retired entry "${id}" in ${plural(s.sessionIds.length, 'session')} are not recorded`
          : `${plural(s.sessionIds.length, 'session')} used entry "${id}", which the playbook does not hold`,
      });
      continue;
    }
    outcomes.push({
      title: entry.title,
      delta: { kind: 'record_outcome', id, helpful: s.helpful, harmful: s.harmful },
      change: {
        kind: 'record_outcome',
        role: null,
        entryId: id,
        title: entry.title,
        reason: `used in ${plural(s.sessionIds.length, 'session')}: ${s.helpful} went well, ${s.harmful} went badly`,
        evidence: s.sessionIds.map((sessionId) => ({
          sessionId,
          note: s.harmfulSessionIds.includes(sessionId) ? 'went badly' : 'went well',
        })),
      },
    });
  }
  for (const entry of current) {
    if (entry.status === 'retired') continue;
    const s = stats.get(entry.id);
    projected.push(
      s
        ? { ...entry, helpful: entry.helpful + s.helpful, harmful: entry.harmful + s.harmful }
        : entry,
    );
  }
  const retiring = new Map<string, string>();
  const retirements: Planned[] = [];
  const stay: CurateResult['kept'] = [];
  for (const d of retirementDeltas(projected, options.retirement)) {
    if (d.kind !== 'retire') continue;
    const entry = byId.get(d.id) as PlaybookEntry;
    const why = options.reviewed && retirementContrast(stats.get(d.id), options.reviewed);
    if (why) {
      stay.push({
        title: entry.title,
        reason: `not retired although ${d.reason ?? 'harmful too often'}: ${why}`,
      });
      continue;
    }
    const reason = d.reason ?? 'harmful too often';
    retiring.set(d.id, reason);
    retirements.push({
      title: entry.title,
      delta: d,
      change: {
        kind: 'retire',
        role: null,
        entryId: d.id,
        title: entry.title,
        reason: `${reason}, counting this dream's sessions`,
        evidence: (stats.get(d.id)?.sessionIds ?? []).map((sessionId) => ({ sessionId })),
        ...(entry.rule && { rule: structuredClone(entry.rule) }),
      },
    });
  }

  // Drafts: to existing entries, to each other, or new.
  const liveByRule = new Map<string, PlaybookEntry>();
  const retiredByRule = new Map<string, PlaybookEntry>();
  for (const e of current) {
    const key = ruleKey(e.rule);
    if (!key) continue;
    const map = e.status === 'retired' ? retiredByRule : liveByRule;
    if (!map.has(key)) map.set(key, e);
  }
  const updates = new Map<string, PendingUpdate>();
  const adds: PendingAdd[] = [];
  const toUpdate = (entry: PlaybookEntry, draft: EntryDraftInput, evidence: Evidence[]) => {
    const u = updates.get(entry.id) ?? { entry, evidence: [], drafts: 0 };
    u.evidence.push(...evidence);
    u.drafts++;
    if (!entry.rule && draft.rule && !u.rule) u.rule = structuredClone(draft.rule);
    updates.set(entry.id, u);
  };

  for (const draft of drafts) {
    const key = ruleKey(draft.rule);
    const id = deriveEntryId(draft);
    const evidence = cleanEvidence(draft.evidence);
    const sameRule = key ? liveByRule.get(key) : undefined;
    const sameText = byText.get(id);
    const existing = sameRule ?? (sameText?.status !== 'retired' ? sameText : undefined);
    if (existing && retiring.has(existing.id)) {
      skipped.push({
        title: draft.title,
        reason: `repeats entry "${existing.id}", which this dream retires (${retiring.get(existing.id)})`,
      });
      continue;
    }
    if (existing) {
      if (!sameRule && key && ruleKey(existing.rule) !== null) {
        skipped.push({
          title: draft.title,
          reason: `has the title and guidance of entry "${existing.id}" but a different rule; give the new rule its own title`,
        });
        continue;
      }
      toUpdate(existing, draft, evidence);
      continue;
    }
    const retired = (key && retiredByRule.get(key)) || (sameText?.status === 'retired' && sameText);
    if (retired) {
      skipped.push({
        title: draft.title,
        reason: `repeats retired entry "${retired.id}"${retired.retiredReason ? ` (${retired.retiredReason})` : ''}; it is not added again`,
      });
      continue;
    }
    const twin = adds.find((a) => (key !== null && a.key === key) || a.id === id);
    if (twin && twin.key !== null && key !== null && twin.key !== key) {
      skipped.push({
        title: draft.title,
        reason: `has the title and guidance of draft "${twin.draft.title}" but a different rule; give the new rule its own title`,
      });
      continue;
    }
    if (twin) {
      twin.evidence = cleanEvidence([...twin.evidence, ...evidence]).slice(
        0,
        ENTRY_LIMITS.evidence,
      );
      twin.merged++;
      // The same text, once with a structured rule and once without: keep the rule.
      if (twin.key === null && draft.rule) {
        twin.key = key;
        twin.draft = { ...twin.draft, rule: draft.rule };
      }
      continue;
    }
    adds.push({ id, key, draft, evidence: evidence.slice(0, ENTRY_LIMITS.evidence), merged: 1 });
  }

  const updatePlans: Planned[] = [];
  for (const u of updates.values()) {
    const known = new Set(u.entry.evidence.map((e) => stableJson(e)));
    const room = ENTRY_LIMITS.evidence - u.entry.evidence.length;
    const fresh = cleanEvidence(u.evidence)
      .filter((e) => !known.has(stableJson(e)))
      .slice(0, Math.max(0, room));
    if (!fresh.length && !u.rule) {
      skipped.push({
        title: u.entry.title,
        reason: `repeats entry "${u.entry.id}" with no evidence it does not already hold`,
      });
      continue;
    }
    const patch = {
      ...(fresh.length && { addEvidence: fresh }),
      ...(u.rule && { rule: u.rule }),
    };
    updatePlans.push({
      title: u.entry.title,
      delta: { kind: 'update', id: u.entry.id, patch },
      change: {
        kind: 'update',
        role: null,
        entryId: u.entry.id,
        title: u.entry.title,
        reason:
          `learned again by ${plural(u.drafts, 'draft')} of this dream` +
          (fresh.length ? `: ${plural(fresh.length, 'new piece')} of evidence` : '') +
          (u.rule ? '; the entry gains the structured rule' : ''),
        evidence: fresh,
        ...((u.rule ?? u.entry.rule) && { rule: structuredClone(u.rule ?? u.entry.rule) }),
      },
    });
  }

  const addPlans: Planned[] = adds.map((a) => ({
    title: a.draft.title,
    delta: {
      kind: 'add',
      entry: {
        title: a.draft.title,
        guidance: a.draft.guidance,
        rationale: a.draft.rationale,
        evidence: a.evidence,
        ...(a.draft.rule && { rule: structuredClone(a.draft.rule) }),
      },
    },
    change: {
      kind: 'add',
      role: null,
      entryId: a.id,
      title: a.draft.title,
      reason: a.draft.rationale + (a.merged > 1 ? ` (${a.merged} drafts merged)` : ''),
      evidence: a.evidence,
      ...(a.draft.rule && { rule: structuredClone(a.draft.rule) }),
    },
  }));

  const proposedPlans: Planned[] = (options.proposed ?? []).map(({ delta, title, reason }) => ({
    title,
    delta,
    change: {
      kind: delta.kind,
      role: null,
      entryId: delta.kind === 'merge' ? delta.into : delta.id,
      title,
      reason,
      evidence: delta.kind === 'update' ? [...(delta.patch.addEvidence ?? [])] : [],
    },
  }));

  return {
    ...checked(
      current,
      [...outcomes, ...retirements, ...proposedPlans, ...updatePlans],
      addPlans,
      maxAdds,
      skipped,
      options.guard,
    ),
    kept: stay,
  };
}

/** Keeps the plans `applyDeltas` accepts, one at a time in order, and at most `maxAdds` adds. */
function checked(
  current: readonly PlaybookEntry[],
  plans: Planned[],
  addPlans: Planned[],
  maxAdds: number,
  skipped: CurateResult['skipped'],
  guard: GuardOptions | undefined,
): Omit<CurateResult, 'kept'> {
  let base: PlaybookBase = {
    playbookId: 'curate-trial',
    agentId: 'curate-trial',
    version: 0,
    entries: current as PlaybookEntry[],
  };
  const kept: Planned[] = [];
  let added = 0;
  for (const plan of [...plans, ...addPlans]) {
    if (plan.delta.kind === 'add' && added >= maxAdds) {
      skipped.push({
        title: plan.title,
        reason: `a dream adds at most ${maxAdds} entries; this one can come from a later dream`,
      });
      continue;
    }
    try {
      base = applyDeltas(base, [plan.delta], TRIAL_AUTHOR, TRIAL_TIME, { guard });
    } catch (e) {
      if (!(e instanceof PlaybookError)) throw e;
      skipped.push({ title: plan.title, reason: `the playbook would refuse it: ${e.message}` });
      continue;
    }
    kept.push(plan);
    if (plan.delta.kind === 'add') added++;
  }
  return {
    deltas: kept.map((p) => p.delta),
    changes: kept.map((p) => p.change),
    skipped,
  };
}
