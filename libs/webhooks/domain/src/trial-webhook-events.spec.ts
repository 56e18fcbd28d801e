import type { PlaybookTrialEnded, PlaybookTrialStarted } from '@reverie/contracts';
import { isWebhookEventType } from './event-types';
import { webhookEventsFor } from './webhook-events';

const playbooks = [{ role: null, playbookId: 'pbk_agt_1', candidate: 3, control: 2 }];
const started: PlaybookTrialStarted = {
  id: 'trl_1:started',
  type: 'playbook.trial_started',
  tenantId: 'acme',
  agentId: 'agt_1',
  occurredAt: '2026-11-22T10:00:00.000Z',
  schemaVersion: 1,
  payload: { trialId: 'trl_1', dreamId: 'drm_1', share: 0.3, playbooks },
};
const ended: PlaybookTrialEnded = {
  ...started,
  id: 'trl_1:ended',
  type: 'playbook.trial_ended',
  payload: {
    trialId: 'trl_1',
    dreamId: 'drm_1',
    status: 'rolled_back',
    reason: 'the candidate won 1 of 7 discordant pair(s)',
    playbooks,
    arms: {
      candidate: { sessions: 12, graded: 10, succeeded: 2 },
      control: { sessions: 20, graded: 18, succeeded: 12 },
    },
  },
};

describe('trial webhook events', () => {
  it('are event types a subscription can ask for', () => {
    expect(isWebhookEventType('playbook.trial_started')).toBe(true);
    expect(isWebhookEventType('playbook.trial_ended')).toBe(true);
  });

  it('announce a start with the share and the versions compared, without the tenant', () => {
    const [event] = webhookEventsFor(started);
    expect(event.type).toBe('playbook.trial_started');
    expect(event.key).toBe('trl_1');
    expect(event.payload.data).toEqual({
      trial_id: 'trl_1',
      agent_id: 'agt_1',
      dream_id: 'drm_1',
      playbooks: [{ role: null, candidate: 3, control: 2 }],
      share: 0.3,
    });
  });

  it('announce an end with its status, reason and arms', () => {
    const events = webhookEventsFor(ended);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({
      type: 'playbook.trial_ended',
      timestamp: '2026-11-22T10:00:00.000Z',
      data: { status: 'rolled_back', arms: { candidate: { graded: 10, succeeded: 2 } } },
    });
  });
});
