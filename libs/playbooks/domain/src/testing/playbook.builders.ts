import type { Rule } from '../condition.schema';
import type { PlaybookEntry } from '../entry.schema';
import type { Author, PlaybookVersion } from '../version.schema';

export const T0 = '2025-01-01T00:00:00.000Z';

export const aPerson = (id = 'user_ada'): Author => ({ kind: 'person', id });
export const aDream = (id = 'dream_1'): Author => ({ kind: 'dream', id });

/** A rule that fires when the craft is low and falling fast. */
export function aRule(overrides: Partial<Rule> = {}): Rule {
  return {
    when: {
      all: [
        { feature: 'altitude', op: 'lt', value: 50 },
        { feature: 'vertical_speed', op: 'lt', value: -3 },
      ],
    },
    then: { action: 'set_throttle', params: { level: 0.8 } },
    ...overrides,
  };
}

/** A valid active entry with full defaults; override what the test cares about. */
export function anEntry(overrides: Partial<PlaybookEntry> = {}): PlaybookEntry {
  const id = overrides.id ?? 'pb-brake-low';
  return {
    id,
    title: `Lesson ${id}`,
    guidance: `Guidance of ${id}: brake early when low and falling fast.`,
    rationale: `Sessions that braked late crashed (${id}).`,
    evidence: [{ sessionId: 'ses_1', step: 41, role: 'navigator' }],
    helpful: 0,
    harmful: 0,
    status: 'active',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A valid active version 1 with full defaults. */
export function aVersion(overrides: Partial<PlaybookVersion> = {}): PlaybookVersion {
  const entries = overrides.entries ?? [anEntry()];
  return {
    playbookId: 'pbk_lander',
    agentId: 'agt_lander',
    version: 1,
    parentVersion: null,
    author: aPerson(),
    createdAt: T0,
    entries,
    status: 'active',
    diff: { added: entries.map((e) => ({ id: e.id, title: e.title })), removed: [], changed: [] },
    ...overrides,
  };
}
