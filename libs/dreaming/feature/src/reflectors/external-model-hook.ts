import {
  matchEvidence,
  type HeldOutCheck,
  type MinedEntry,
  type ReviewedSession,
} from '@reverie/dreaming-reflect';
import type { ReflectModel, ReflectResult } from '../environments/environment-dreamer';
import {
  DEFAULT_EXTERNAL_REFLECTOR_LIMITS,
  reflectExternalWithModel,
  type ExternalReflectorLimits,
} from './external-model-reflector';

/** What the hook needs of the external dreamer's prepared sessions. */
export interface ModelHookPrepared {
  bySplit: { train: ReviewedSession[]; validation: ReviewedSession[] };
  agentOf: ReadonlyMap<string, string>;
  checks: { entry: MinedEntry; check: HeldOutCheck }[];
}

/**
 * The external dreamer's model step, after its builtin miner: the model reflector's entries join
 * the builtin drafts (alternative 0), its held-out checks join `checks` (so the offline gate
 * counts them like the builtin ones), and its updates, merges and retires go to curate. Whatever
 * happens to the model's answer, the builtin result stands.
 */
export async function withModelReflector(
  environment: string,
  roles: readonly (string | null)[],
  p: ModelHookPrepared,
  builtin: ReflectResult,
  model: ReflectModel,
  limits: ExternalReflectorLimits = DEFAULT_EXTERNAL_REFLECTOR_LIMITS,
): Promise<ReflectResult> {
  const m = await reflectExternalWithModel(
    {
      environment,
      roles,
      train: p.bySplit.train,
      heldOut: p.bySplit.validation,
      agentOf: p.agentOf,
      builtin: builtin.drafts,
      model,
    },
    limits,
  );
  // Every rule the model adds or sets was checked on held-out sessions; retires and text-only
  // updates set none, so they alone never make the offline gate promote.
  for (const a of m.accepted) {
    const d = a.delta;
    const rule =
      d.kind === 'add'
        ? d.entry.rule
        : d.kind === 'update' || d.kind === 'merge'
          ? d.patch?.rule
          : null;
    if (!rule || !a.check) continue;
    p.checks.push({
      entry: {
        role: a.role,
        kind: 'model',
        title: a.title,
        guidance: d.kind === 'add' ? d.entry.guidance : '',
        rationale: a.reason,
        rule,
        evidence: matchEvidence(rule, p.bySplit.train),
      },
      check: a.check,
    });
  }
  return {
    drafts: [...builtin.drafts, ...m.drafts],
    work: {
      simulations: builtin.work.simulations,
      summary: `${builtin.work.summary}; ${m.summary}`,
    },
    model: { usage: m.usage, notes: m.notes, proposals: m.proposals },
  };
}
