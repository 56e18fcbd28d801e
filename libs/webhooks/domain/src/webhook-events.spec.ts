import { SCHEMA_VERSION, type DreamEnded, type PlaybookVersionActivated } from '@reverie/contracts';
import { webhookEventsFor, webhookMessageId } from './webhook-events';

const OCCURRED = '2026-03-01T12:00:00.000Z';

function aDreamEnded(payload: Partial<DreamEnded['payload']> = {}): DreamEnded {
  return {
    id: 'drm_1:ended',
    type: 'dream.ended',
    tenantId: 'tenant_a',
    agentId: 'agt_1',
    occurredAt: OCCURRED,
    schemaVersion: SCHEMA_VERSION,
    payload: {
      dreamId: 'drm_1',
      status: 'completed',
      environment: 'lunar-lander',
      sessionsReviewed: 20,
      playbooks: [],
      error: null,
      ...payload,
    },
  };
}

const activated: PlaybookVersionActivated = {
  id: 'pbk_agt_1.navigator:v3:activated',
  type: 'playbook.version_activated',
  tenantId: 'tenant_a',
  agentId: 'agt_1',
  occurredAt: OCCURRED,
  schemaVersion: SCHEMA_VERSION,
  payload: {
    playbookId: 'pbk_agt_1.navigator',
    role: 'navigator',
    version: 3,
    entries: [{ id: 'e1' }, { id: 'e2' }],
  },
};

describe('webhookEventsFor', () => {
  it('maps a completed dream to dream.completed with tenant-free public data', () => {
    const [event, ...rest] = webhookEventsFor(
      aDreamEnded({ playbooks: [{ role: null, version: 2, status: 'active' }] }),
    );
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'dream.completed', tenantId: 'tenant_a', key: 'drm_1' });
    expect(event.payload).toEqual({
      type: 'dream.completed',
      timestamp: OCCURRED,
      data: {
        dream_id: 'drm_1',
        agent_id: 'agt_1',
        status: 'completed',
        environment: 'lunar-lander',
        sessions_reviewed: 20,
        outputs: [{ type: 'playbook', role: null, version: 2, status: 'active' }],
        error: null,
      },
    });
    expect(JSON.stringify(event.payload)).not.toContain('tenant_a');
  });

  it('adds one playbook.proposed per proposed output', () => {
    const events = webhookEventsFor(
      aDreamEnded({
        playbooks: [
          { role: 'navigator', version: 4, status: 'proposed' },
          { role: 'commander', version: 2, status: 'active' },
          { role: 'detector', version: 7, status: 'proposed' },
        ],
      }),
    );
    expect(events.map((e) => e.type)).toEqual([
      'dream.completed',
      'playbook.proposed',
      'playbook.proposed',
    ]);
    expect(events[1].payload.data).toEqual({
      agent_id: 'agt_1',
      role: 'navigator',
      version: 4,
      status: 'proposed',
      dream_id: 'drm_1',
    });
    expect(new Set(events.map((e) => e.key)).size).toBe(3);
  });

  it('announces a version on a canary trial by the trial, not as a proposal for a person', () => {
    const events = webhookEventsFor(
      aDreamEnded({
        environment: 'external',
        playbooks: [
          { role: 'triager', version: 3, status: 'proposed', trialId: 'trl_1' },
          { role: 'resolver', version: 5, status: 'proposed' },
        ],
      }),
    );
    expect(events.map((e) => e.type)).toEqual(['dream.completed', 'playbook.proposed']);
    expect(events[1].payload.data).toMatchObject({ role: 'resolver', version: 5 });
    expect(events[0].payload.data).toMatchObject({
      outputs: [
        { type: 'playbook', role: 'triager', version: 3, status: 'proposed', trial_id: 'trl_1' },
        { type: 'playbook', role: 'resolver', version: 5, status: 'proposed' },
      ],
    });
  });

  it('maps failed and canceled dreams with their error', () => {
    const error = { type: 'interrupted', message: 'the dreamer died twice' };
    const [failed] = webhookEventsFor(aDreamEnded({ status: 'failed', error }));
    expect(failed.type).toBe('dream.failed');
    expect(failed.payload.data).toMatchObject({ status: 'failed', error });
    expect(webhookEventsFor(aDreamEnded({ status: 'canceled' }))[0].type).toBe('dream.canceled');
  });

  it('maps an activated playbook version to playbook.updated without its entries', () => {
    expect(webhookEventsFor(activated)).toEqual([
      {
        type: 'playbook.updated',
        tenantId: 'tenant_a',
        sourceId: activated.id,
        key: 'pbk_agt_1.navigator/v3',
        occurredAt: new Date(OCCURRED),
        payload: {
          type: 'playbook.updated',
          timestamp: OCCURRED,
          data: {
            agent_id: 'agt_1',
            playbook_id: 'pbk_agt_1.navigator',
            role: 'navigator',
            version: 3,
            status: 'active',
            entry_count: 2,
          },
        },
      },
    ]);
  });

  it('ignores other messages', () => {
    expect(webhookEventsFor({ type: 'dream.requested' })).toEqual([]);
  });
});

describe('webhookMessageId', () => {
  it('is the same for a redelivered message and differs per subscription, type and key', () => {
    const [ended, proposed] = webhookEventsFor(
      aDreamEnded({ playbooks: [{ role: null, version: 2, status: 'proposed' }] }),
    );
    const again = webhookEventsFor(
      aDreamEnded({ playbooks: [{ role: null, version: 2, status: 'proposed' }] }),
    )[0];
    const id = webhookMessageId(ended, 'whk_1');
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(webhookMessageId(again, 'whk_1')).toBe(id);
    expect(webhookMessageId(ended, 'whk_2')).not.toBe(id);
    expect(webhookMessageId(proposed, 'whk_1')).not.toBe(id);
  });
});
