import { byDay, byVersion, versionLabel, type GradedSession } from './learning';

const graded = (sessionId: string, day: string, result: string, soft: boolean): GradedSession => ({
  sessionId,
  result,
  gradedAt: `${day}T10:00:00.000Z`,
  criteria: [
    { id: 'soft', passed: soft },
    { id: 'judge', passed: false, gradable: false },
  ],
});

const outcomes = [
  graded('s1', '2026-11-02', 'satisfied', true),
  graded('s2', '2026-11-01', 'failed', false),
  graded('s3', '2026-11-01', 'satisfied', true),
  graded('s4', '2026-11-02', 'satisfied', true),
];

describe('learning curves', () => {
  it('groups by day, oldest first, with success and criterion pass rates', () => {
    expect(byDay(outcomes)).toEqual([
      { key: '2026-11-01', sessions: 2, successRate: 0.5, criteria: { soft: 0.5 } },
      { key: '2026-11-02', sessions: 2, successRate: 1, criteria: { soft: 1 } },
    ]);
  });

  it('groups by the playbook version each session ran with', () => {
    const sessions = new Map([
      ['s1', { rolePlaybooks: { navigator: 2, commander: 1 } }],
      ['s2', { rolePlaybooks: { navigator: null, commander: null } }],
      ['s3', { rolePlaybooks: { navigator: null, commander: null } }],
      ['s4', { rolePlaybooks: { navigator: 2, commander: 1 } }],
    ]);
    expect(byVersion(outcomes, sessions).map((p) => [p.key, p.sessions, p.successRate])).toEqual([
      ['commander v0 · navigator v0', 2, 0.5],
      ['commander v1 · navigator v2', 2, 1],
    ]);
  });

  it('labels a single agent playbook and an unknown session', () => {
    expect(versionLabel({ playbook: { version: 4 } })).toBe('v4');
    expect(versionLabel(undefined)).toBe('unknown');
  });
});
