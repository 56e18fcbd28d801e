import type { DreamRecord } from '@reverie/dreaming-data-access';
import { addUsage } from '@reverie/dreaming-domain';
import { iso } from '@reverie/http';

function presentInputs(input: DreamRecord['input']) {
  return input.type === 'sessions'
    ? [{ type: 'sessions' as const, session_ids: input.sessionIds }]
    : [{ type: 'sessions_since_last_dream' as const, max_sessions: input.limit }];
}

function presentModel(model: DreamRecord['model']) {
  return {
    provider: model.provider,
    ...(model.model !== undefined && { model: model.model }),
    ...(model.maxTokens !== undefined && { max_tokens: model.maxTokens }),
  };
}

/**
 * A dream as the API shows it, shaped like Anthropic's Dreams API (snake_case, `type: "dream"`):
 * its outputs are playbook versions rather than memory stores. No tenant, no lease, ISO dates.
 */
export function presentDream(d: DreamRecord) {
  return {
    type: 'dream' as const,
    id: d._id,
    agent_id: d.agentId,
    status: d.status,
    inputs: presentInputs(d.input),
    outputs: d.outputs.map((o) => ({
      type: 'playbook' as const,
      role: o.role,
      version: o.version,
      status: o.status,
      ...(o.trialId ? { trial_id: o.trialId } : {}),
    })),
    model: presentModel(d.model),
    instructions: d.instructions,
    publish: d.publish,
    trigger: d.trigger,
    stage: d.stage,
    progress: d.progress
      ? {
          stage: d.progress.stage,
          completed: d.progress.completed,
          total: d.progress.total,
          message: d.progress.message,
        }
      : null,
    // With what runs that lost the lease spent after their last heartbeat.
    usage: addUsage(d.usage, d.strandedUsage ?? {}),
    simulations: d.simulations + (d.strandedSimulations ?? 0),
    environment: d.environment,
    sessions_reviewed: d.sessionsReviewed,
    error: d.error ? { type: d.error.type, message: d.error.message } : null,
    attempts: d.attempts,
    cancel_requested_at: iso(d.cancelRequestedAt),
    created_at: iso(d.createdAt),
    started_at: iso(d.startedAt),
    ended_at: iso(d.endedAt),
    archived_at: iso(d.archivedAt),
  };
}

export type PresentedDream = ReturnType<typeof presentDream>;
