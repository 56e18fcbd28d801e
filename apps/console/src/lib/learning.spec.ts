import { byDay, byVersion, latestPerSession, versionLabel, type GradedSession } from './learning';

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

  /**
   * GET /v1/outcomes lists a verdict per graded iteration, newest first: s5 was sent back twice and
   * then satisfied, s6 was sent back once and then ran out of attempts, s7 (one attempt) failed, and
   * s8's last attempt was graded twice (a regrade: the later verdict stands).
   */
  const attempt = (
    sessionId: string,
    iteration: number,
    at: string,
    result: string,
    soft: boolean,
  ): GradedSession => ({
    sessionId,
    iteration,
    result,
    gradedAt: `${at}:00.000Z`,
    criteria: [{ id: 'soft', passed: soft }],
  });
  const attempts = [
    attempt('s8', 1, '2026-11-02T09:30', 'satisfied', true),
    attempt('s5', 3, '2026-11-02T09:00', 'satisfied', true),
    attempt('s6', 2, '2026-11-02T08:00', 'max_iterations_reached', false),
    attempt('s8', 1, '2026-11-01T12:00', 'failed', false),
    attempt('s5', 2, '2026-11-01T23:00', 'needs_revision', false),
    attempt('s6', 1, '2026-11-01T22:00', 'needs_revision', false),
    attempt('s5', 1, '2026-11-01T21:00', 'needs_revision', false),
    attempt('s7', 1, '2026-11-01T20:00', 'failed', true),
  ];

  it('counts each session once, by its latest graded iteration', () => {
    expect(latestPerSession(attempts).map((o) => [o.sessionId, o.iteration, o.result])).toEqual([
      ['s8', 1, 'satisfied'],
      ['s5', 3, 'satisfied'],
      ['s6', 2, 'max_iterations_reached'],
      ['s7', 1, 'failed'],
    ]);
    // An older API row without an iteration counts as attempt 1.
    const { iteration: _, ...noIteration } = attempt('s9', 1, '2026-11-01T01:00', 'failed', false);
    expect(
      latestPerSession([attempt('s9', 2, '2026-11-01T00:30', 'satisfied', true), noIteration]),
    ).toEqual([attempt('s9', 2, '2026-11-01T00:30', 'satisfied', true)]);
  });

  it('groups sessions, not grading attempts, by day and by version', () => {
    // Each session's day is its final verdict's: s7 on the 1st, s5, s6 and s8 on the 2nd.
    expect(byDay(attempts)).toEqual([
      { key: '2026-11-01', sessions: 1, successRate: 0, criteria: { soft: 1 } },
      { key: '2026-11-02', sessions: 3, successRate: 2 / 3, criteria: { soft: 2 / 3 } },
    ]);
    const sessions = new Map([
      ['s5', { playbook: { version: 2 } }],
      ['s6', { playbook: { version: 2 } }],
      ['s7', { playbook: { version: 1 } }],
      ['s8', { playbook: { version: 2 } }],
    ]);
    expect(byVersion(attempts, sessions).map((p) => [p.key, p.sessions, p.successRate])).toEqual([
      ['v1', 1, 0],
      ['v2', 3, 2 / 3],
    ]);
  });

  it('labels a single agent playbook and an unknown session', () => {
    expect(versionLabel({ playbook: { version: 4 } })).toBe('v4');
    expect(versionLabel(undefined)).toBe('unknown');
  });
});
