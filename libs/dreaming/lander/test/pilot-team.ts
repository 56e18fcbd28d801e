import type { SessionEventBody } from '@reverie/contracts';
import type { PlaybookRule } from '@reverie/playbooks-domain';

/**
 * A role's playbook that sets `params` from the first step on: how a spec makes a pilot team
 * fly with parameters other than the day-one team's.
 */
export const pilotRules = (params: Record<string, number>): PlaybookRule[] => [
  {
    entryId: 'pilot',
    title: 'pilot parameters',
    when: { feature: 'step', op: 'gte', value: 0 },
    then: { action: 'set', params },
  },
];

/** The session as a dream reads it, without the rule firings that would give the pilot away. */
export const withoutRuleFirings = (events: readonly SessionEventBody[]) =>
  events.filter((e) => !(e.type === 'action' && e.name === 'apply_rule'));
