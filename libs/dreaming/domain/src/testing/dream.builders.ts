import type { FailureLocalisation, DreamReport, DreamUsage } from '../dream.types';
import type { ObservedSession } from '../divergence';

/** A localised hazard failure of the navigator at step 52, with full defaults. */
export function aLocalisation(overrides: Partial<FailureLocalisation> = {}): FailureLocalisation {
  return {
    sessionId: 'ses_1',
    task: 'boulder-field-1',
    failure: 'hazard',
    step: 52,
    role: 'navigator',
    method: 'counterfactual',
    confidence: 0.8,
    detail: 'an earlier divert to the next site lands safely',
    simulations: 40,
    ...overrides,
  };
}

/** A session of task `t1` that did `signatures` at steps 0, 1, 2, … */
export function aSession(
  sessionId: string,
  signatures: string[],
  overrides: Partial<ObservedSession> = {},
): ObservedSession {
  return {
    sessionId,
    task: 't1',
    succeeded: true,
    actions: signatures.map((signature, step) => ({ step, signature })),
    ...overrides,
  };
}

export const usage = (input: number, output: number, read = 0, creation = 0): DreamUsage => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_input_tokens: read,
  cache_creation_input_tokens: creation,
});

/** A completed lander dream that added one rule and promoted it, with full defaults. */
export function aDreamReport(overrides: Partial<DreamReport> = {}): DreamReport {
  return {
    dreamId: 'drm_42',
    agentId: 'agt_lander',
    environment: 'lunar-lander',
    status: 'completed',
    sessionsReviewed: 120,
    failedSessions: 9,
    patterns: [
      {
        key: 'hazard|navigator|50-59',
        description: 'hazard: 4 sessions, the navigator went wrong around steps 50–59',
        count: 4,
        sessionIds: ['ses_1', 'ses_2', 'ses_3', 'ses_4'],
        roles: ['navigator'],
        steps: [51, 52, 55, 58],
      },
    ],
    localisations: [aLocalisation()],
    changes: [
      {
        kind: 'add',
        role: 'navigator',
        entryId: 'pb-0123456789ab',
        title: 'Divert early over boulders',
        reason: 'turned 4 of 4 hazard failures safe on training scenarios',
        evidence: [{ sessionId: 'ses_1', step: 52, note: 'failed, safe with the rule' }],
        rule: {
          when: { feature: 'site_boulder_height', op: 'gt', value: 0.5 },
          then: { action: 'divert', params: { to: 'next' } },
        },
      },
    ],
    validation: {
      split: 'validation',
      heldOut: 40,
      metric: 'safe landings',
      before: 31,
      after: 36,
      extra: { 'fuel over limit': 1.12, 'mean touchdown speed': null },
      regressions: [],
      improvements: ['scn_7', 'scn_9'],
      promote: true,
      reason: '5 more safe landings and no regression',
    },
    publication: {
      mode: 'apply',
      playbooks: [{ role: 'navigator', version: 4, status: 'active' }],
    },
    stages: [
      {
        stage: 'collect',
        startedAt: '2025-01-01T00:00:00.000Z',
        endedAt: '2025-01-01T00:00:02.500Z',
        summary: '120 sessions, 9 failed',
        simulations: 0,
        usage: usage(0, 0),
      },
      {
        stage: 'reflect',
        startedAt: '2025-01-01T00:00:02.500Z',
        endedAt: '2025-01-01T00:03:12.500Z',
        summary: '3 drafts',
        simulations: 250,
        usage: usage(12_000, 3_400, 8_000, 1_000),
      },
    ],
    usage: usage(12_000, 3_400, 8_000, 1_000),
    simulations: 610,
    notes: [],
    createdAt: '2025-01-01T00:00:00.000Z',
    endedAt: '2025-01-01T00:05:00.000Z',
    ...overrides,
  };
}
