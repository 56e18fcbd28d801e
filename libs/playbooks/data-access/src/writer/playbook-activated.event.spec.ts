import { messageKey, TOPICS, validateMessage } from '@reverie/contracts';
import { aVersion, anEntry } from '@reverie/playbooks-domain/testing';
import { versionActivatedEvent } from './playbook-activated.event';

describe('versionActivatedEvent', () => {
  const now = new Date('2025-05-01T12:00:00.000Z');

  it("keeps the contract and is keyed by tenant and agent for the agent's own playbook", () => {
    const event = versionActivatedEvent('acme', aVersion({ version: 3, parentVersion: 2 }), now);
    const checked = validateMessage(TOPICS.playbookVersions, event);
    expect(checked).toEqual({ ok: true, value: event });
    expect(messageKey(TOPICS.playbookVersions, event)).toBe('acme/agt_lander');
    expect(event.payload).toEqual({
      playbookId: 'pbk_lander',
      role: null,
      version: 3,
      entries: [anEntry()],
    });
  });

  it("is keyed by role for a role's playbook, with an id that repeats for the same version", () => {
    const version = aVersion({ role: 'navigator', playbookId: 'pbk_lander.navigator' });
    const event = versionActivatedEvent('acme', version, now);
    expect(messageKey(TOPICS.playbookVersions, event)).toBe('acme/agt_lander/navigator');
    expect(event.payload.role).toBe('navigator');
    expect(versionActivatedEvent('acme', version, new Date()).id).toBe(event.id);
    expect(versionActivatedEvent('acme', { ...version, version: 2 }, now).id).not.toBe(event.id);
  });
});
