import {
  applyDeltas,
  deriveEntryId,
  emptyPlaybook,
  type NewEntryInput,
  type PlaybookVersion,
  type Rule,
} from '@reverie/playbooks-domain';
import { aDream, aPerson, aRule, T0 } from '@reverie/playbooks-domain/testing';
import { curate, entryStats, type EntryDraftInput, type EntryUse } from './curate';

const brake = aRule();
const divert: Rule = {
  when: { feature: 'site_boulder_height', op: 'gt', value: 0.5 },
  then: { action: 'divert', params: { to: 'next' } },
};
const hover: Rule = {
  when: { feature: 'altitude', op: 'lt', value: 5 },
  then: { action: 'hover' },
};
const ruleN = (n: number): Rule => ({
  when: { feature: 'altitude', op: 'lt', value: 100 + n },
  then: { action: 'set_throttle', params: { level: 0.5 } },
});

const entry = (id: string, rule?: Rule, extra: Partial<NewEntryInput> = {}): NewEntryInput => ({
  id,
  title: `Lesson ${id}`,
  guidance: `Guidance of ${id}.`,
  rationale: `Why ${id}.`,
  evidence: [{ sessionId: 'ses_old', step: 3 }],
  ...(rule && { rule }),
  ...extra,
});

/**
 * The playbook a dream starts from, built the way the service builds one: `pb-brake` (live, with
 * a rule), `pb-divert` (retired, with a rule), `pb-plain` (live, no rule), `pb-risky` (live, 2
 * helpful and 5 harmful sessions so far).
 */
function startingPlaybook(): PlaybookVersion {
  const v1 = applyDeltas(
    emptyPlaybook({ playbookId: 'pbk_lander', agentId: 'agt_lander', role: 'navigator' }),
    [
      { kind: 'add', entry: entry('pb-brake', brake) },
      { kind: 'add', entry: entry('pb-divert', divert) },
      { kind: 'add', entry: { ...entry('pb-plain'), id: undefined } },
      { kind: 'add', entry: entry('pb-risky', hover, { helpful: 2, harmful: 5 }) },
    ],
    aPerson(),
    T0,
  );
  return applyDeltas(
    v1,
    [{ kind: 'retire', id: 'pb-divert', reason: 'harmful in 9 of 12 sessions (75%)' }],
    aPerson(),
    T0,
  );
}

const draft = (
  rule: Rule | undefined,
  overrides: Partial<EntryDraftInput> = {},
): EntryDraftInput => ({
  title: 'Brake earlier',
  guidance: 'Throttle up below 50 m.',
  rationale: 'Sessions that braked late crashed.',
  evidence: [{ sessionId: 'ses_9', step: 40 }],
  ...(rule && { rule }),
  ...overrides,
});

/** Applies the deltas as the service does; throws when the playbook refuses them. */
const publish = (base: PlaybookVersion, deltas: ReturnType<typeof curate>['deltas']) =>
  applyDeltas(base, deltas, aDream('drm_1'), '2025-02-01T00:00:00.000Z');

const plainId = deriveEntryId({ title: 'Lesson pb-plain', guidance: 'Guidance of pb-plain.' });

describe('entryStats', () => {
  it('counts each session once per entry', () => {
    const uses: EntryUse[] = [
      { entryId: 'a', sessionId: 's1', succeeded: true },
      { entryId: 'a', sessionId: 's1', succeeded: false },
      { entryId: 'a', sessionId: 's2', succeeded: false },
      { entryId: 'b', sessionId: 's1', succeeded: true },
    ];
    expect(Object.fromEntries(entryStats(uses))).toEqual({
      a: { helpful: 1, harmful: 1, sessionIds: ['s1', 's2'], harmfulSessionIds: ['s2'] },
      b: { helpful: 1, harmful: 0, sessionIds: ['s1'], harmfulSessionIds: [] },
    });
  });
});

describe('curate', () => {
  const v = startingPlaybook();

  it('adds evidence to the entry with the same rule instead of adding a duplicate', () => {
    const { deltas, changes, skipped } = curate(
      v.entries,
      [
        draft(brake, {
          evidence: [
            { sessionId: 'ses_9', step: 40 },
            { sessionId: 'ses_old', step: 3 },
          ],
        }),
        draft(structuredClone(brake), {
          title: 'Another wording',
          evidence: [{ sessionId: 'ses_10' }],
        }),
      ],
      [],
    );
    expect(deltas).toEqual([
      {
        kind: 'update',
        id: 'pb-brake',
        patch: { addEvidence: [{ sessionId: 'ses_9', step: 40 }, { sessionId: 'ses_10' }] },
      },
    ]);
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'update',
        role: null,
        entryId: 'pb-brake',
        reason: 'learned again by 2 drafts of this dream: 2 new pieces of evidence',
        rule: brake,
      }),
    ]);
    expect(skipped).toEqual([]);
    const next = publish(v, deltas);
    expect(next.entries.find((e) => e.id === 'pb-brake')?.evidence).toHaveLength(3);
    expect(next.entries).toHaveLength(4);
  });

  it('says so, and changes nothing, when the same rule brings no new evidence', () => {
    const result = curate(
      v.entries,
      [draft(brake, { evidence: [{ sessionId: 'ses_old', step: 3 }] })],
      [],
    );
    expect(result.deltas).toEqual([]);
    expect(result.skipped).toEqual([
      {
        title: 'Lesson pb-brake',
        reason: 'repeats entry "pb-brake" with no evidence it does not already hold',
      },
    ]);
  });

  it('merges drafts that repeat each other into one add, dropping evidence the playbook would refuse', () => {
    const { deltas, changes } = curate(
      v.entries,
      [
        draft(ruleN(1), {
          title: 'Brake at 101 m',
          evidence: [{ sessionId: 'ses_1' }, { sessionId: 'bad id!' }],
        }),
        draft(ruleN(1), {
          title: 'Same rule, other words',
          evidence: [{ sessionId: 'ses_2', step: 7 }, { sessionId: 'ses_1' }],
        }),
      ],
      [],
    );
    expect(deltas).toEqual([
      {
        kind: 'add',
        entry: {
          title: 'Brake at 101 m',
          guidance: 'Throttle up below 50 m.',
          rationale: 'Sessions that braked late crashed.',
          evidence: [{ sessionId: 'ses_1' }, { sessionId: 'ses_2', step: 7 }],
          rule: ruleN(1),
        },
      },
    ]);
    expect(changes[0]).toMatchObject({
      kind: 'add',
      entryId: deriveEntryId({ title: 'Brake at 101 m', guidance: 'Throttle up below 50 m.' }),
      reason: 'Sessions that braked late crashed. (2 drafts merged)',
      evidence: [{ sessionId: 'ses_1' }, { sessionId: 'ses_2', step: 7 }],
      rule: ruleN(1),
    });
    expect(publish(v, deltas).entries.map((e) => e.id)).toContain(changes[0].entryId);
  });

  it('updates (never re-adds) an entry with the same title and guidance, giving it the rule it lacked', () => {
    const same = { title: 'Lesson pb-plain', guidance: 'Guidance of pb-plain.' };
    const { deltas } = curate(v.entries, [draft(ruleN(2), same)], []);
    expect(deltas).toEqual([
      {
        kind: 'update',
        id: plainId,
        patch: { addEvidence: [{ sessionId: 'ses_9', step: 40 }], rule: ruleN(2) },
      },
    ]);
    expect(publish(v, deltas).entries.find((e) => e.id === plainId)?.rule).toEqual(ruleN(2));

    const clash = curate(
      v.entries,
      [draft(ruleN(3), { ...same, title: 'Lesson pb-brake', guidance: 'Guidance of pb-brake.' })],
      [],
    );
    expect(clash.deltas).toEqual([]); // the text of pb-brake, whose rule is another: an add would fail
    expect(clash.skipped[0].reason).toMatch(
      /title and guidance of entry "pb-brake" but a different rule/,
    );
  });

  it('does not bring back a retired rule', () => {
    const { deltas, skipped } = curate(
      v.entries,
      [draft(divert, { title: 'Divert over boulders' })],
      [],
    );
    expect(deltas).toEqual([]);
    expect(skipped).toEqual([
      {
        title: 'Divert over boulders',
        reason:
          'repeats retired entry "pb-divert" (harmful in 9 of 12 sessions (75%)); it is not added again',
      },
    ]);
  });

  it('records outcomes of live entries and retires one the counters condemn, with the numbers', () => {
    const uses: EntryUse[] = [
      { entryId: 'pb-brake', sessionId: 'ses_1', succeeded: true },
      { entryId: 'pb-brake', sessionId: 'ses_2', succeeded: false },
      { entryId: 'pb-risky', sessionId: 'ses_1', succeeded: true },
      { entryId: 'pb-risky', sessionId: 'ses_3', succeeded: false },
      { entryId: 'pb-risky', sessionId: 'ses_4', succeeded: false },
      { entryId: 'pb-divert', sessionId: 'ses_5', succeeded: false },
      { entryId: 'pb-gone', sessionId: 'ses_5', succeeded: true },
    ];
    const { deltas, changes, skipped } = curate(
      v.entries,
      [draft(hover, { title: 'Hover low' })],
      uses,
    );
    expect(deltas).toEqual([
      { kind: 'record_outcome', id: 'pb-brake', helpful: 1, harmful: 1 },
      { kind: 'record_outcome', id: 'pb-risky', helpful: 1, harmful: 2 },
      // stored 2 helpful + 5 harmful, plus 1 + 2 now: 7 of 10, above the shared policy's 50%
      { kind: 'retire', id: 'pb-risky', reason: 'harmful in 7 of 10 sessions (70%)' },
    ]);
    expect(changes[0]).toMatchObject({
      kind: 'record_outcome',
      reason: 'used in 2 sessions: 1 went well, 1 went badly',
      evidence: [
        { sessionId: 'ses_1', note: 'went well' },
        { sessionId: 'ses_2', note: 'went badly' },
      ],
    });
    expect(changes[2]).toMatchObject({
      kind: 'retire',
      entryId: 'pb-risky',
      reason: "harmful in 7 of 10 sessions (70%), counting this dream's sessions",
      rule: hover,
    });
    expect(skipped.map((s) => s.reason)).toEqual([
      'uses of retired entry "pb-divert" in 1 session are not recorded',
      '1 session used entry "pb-gone", which the playbook does not hold',
      'repeats entry "pb-risky", which this dream retires (harmful in 7 of 10 sessions (70%))',
    ]);
    const next = publish(v, deltas);
    expect(next.entries.find((e) => e.id === 'pb-risky')).toMatchObject({
      status: 'retired',
      helpful: 3,
      harmful: 7,
    });
  });

  it('with the reviewed sessions, retires only an entry whose sessions went clearly worse than the rest', () => {
    // pb-risky acted in every session of a hard task: 1 of 10 went well, as without it before.
    const sessions = Array.from({ length: 10 }, (_, i) => ({
      sessionId: `ses_${i}`,
      succeeded: i === 0,
    }));
    const everywhere = sessions.map((s) => ({ entryId: 'pb-risky', ...s }));
    const kept = curate(v.entries, [], everywhere, { reviewed: sessions });
    expect(kept.deltas).toEqual([
      { kind: 'record_outcome', id: 'pb-risky', helpful: 1, harmful: 9 },
    ]);
    expect(kept.kept.map((s) => s.reason)).toEqual([
      'not retired although harmful in 14 of 17 sessions (82%): acted in 10 sessions of the 10 reviewed, so too few sessions without it (0, at least 5) say whether it hurts or the task is hard',
    ]);

    // Half the sessions without it, and they fail as often: not clearly worse.
    const half = everywhere.slice(0, 5);
    const same = curate(v.entries, [], half, { reviewed: sessions });
    expect(same.deltas.map((d) => d.kind)).toEqual(['record_outcome']);
    expect(same.skipped).toEqual([]);
    expect(same.kept[0].reason).toMatch(
      /sessions with it went badly 80% of the time, those without it 100%: not clearly worse$/,
    );

    // The sessions without it went well: its counters retire it, as without `reviewed`.
    const better = sessions.map((s, i) => ({ ...s, succeeded: i === 0 || i >= 5 }));
    const worse = curate(v.entries, [], half, { reviewed: better });
    expect(worse.deltas.map((d) => d.kind)).toEqual(['record_outcome', 'retire']);
    expect(curate(v.entries, [], half).deltas.map((d) => d.kind)).toEqual([
      'record_outcome',
      'retire',
    ]);
  });

  it('takes the retirement policy it is given', () => {
    const uses = [{ entryId: 'pb-brake', sessionId: 'ses_1', succeeded: false }];
    const { deltas } = curate(v.entries, [], uses, {
      retirement: { minObservations: 1, maxHarmfulRatio: 0.5 },
    });
    expect(deltas.map((d) => d.kind)).toEqual(['record_outcome', 'retire', 'retire']);
    expect(
      publish(v, deltas)
        .entries.filter((e) => e.status === 'retired')
        .map((e) => e.id),
    ).toEqual(['pb-brake', 'pb-divert', 'pb-risky']);
  });

  it('adds at most maxAdds entries and drops drafts the playbook would refuse, saying why', () => {
    const drafts = [
      draft(ruleN(10), { title: 'Leaky', guidance: 'Use AKIAIOSFODNN7EXAMPLE for uploads.' }),
      ...Array.from({ length: 5 }, (_, i) => draft(ruleN(20 + i), { title: `Lesson ${i}` })),
    ];
    const { deltas, changes, skipped } = curate(v.entries, drafts, [], { maxAdds: 3 });
    expect(deltas.map((d) => (d.kind === 'add' ? d.entry.title : d.kind))).toEqual([
      'Lesson 0',
      'Lesson 1',
      'Lesson 2',
    ]);
    expect(changes).toHaveLength(3);
    expect(skipped[0].title).toBe('Leaky');
    expect(skipped[0].reason).toMatch(/^the playbook would refuse it: .*AWS access key id/);
    expect(skipped[0].reason).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(skipped.slice(1)).toEqual([
      {
        title: 'Lesson 3',
        reason: 'a dream adds at most 3 entries; this one can come from a later dream',
      },
      {
        title: 'Lesson 4',
        reason: 'a dream adds at most 3 entries; this one can come from a later dream',
      },
    ]);
    expect(publish(v, deltas).entries).toHaveLength(7);
  });

  it('keeps within the playbook budget it is given', () => {
    const drafts = [1, 2, 3].map((i) => draft(ruleN(i), { title: `Lesson ${i}` }));
    const { deltas, skipped } = curate(v.entries, drafts, [], { guard: { maxEntries: 4 } });
    expect(deltas).toHaveLength(1); // 3 live entries + 1
    expect(skipped).toHaveLength(2);
    expect(skipped[0].reason).toMatch(/budget is 4/);
    expect(() => applyDeltas(v, deltas, aDream(), T0, { guard: { maxEntries: 4 } })).not.toThrow();
  });

  it('applies everything it returns as one batch, on a playbook with every kind of change', () => {
    const uses: EntryUse[] = [
      { entryId: 'pb-risky', sessionId: 'ses_3', succeeded: false },
      { entryId: 'pb-risky', sessionId: 'ses_4', succeeded: false },
      { entryId: 'pb-risky', sessionId: 'ses_5', succeeded: false },
      { entryId: plainId, sessionId: 'ses_3', succeeded: true },
    ];
    const { deltas, changes } = curate(
      v.entries,
      [
        draft(brake, { evidence: [{ sessionId: 'ses_7' }] }),
        draft(ruleN(1), { title: 'New one' }),
        draft(undefined, { title: 'Lesson pb-plain', guidance: 'Guidance of pb-plain.' }),
      ],
      uses,
    );
    expect(changes.map((c) => [c.kind, c.entryId])).toEqual([
      ['record_outcome', 'pb-risky'],
      ['record_outcome', plainId],
      ['retire', 'pb-risky'],
      ['update', 'pb-brake'],
      ['update', plainId],
      ['add', deriveEntryId({ title: 'New one', guidance: 'Throttle up below 50 m.' })],
    ]);
    expect(deltas).toHaveLength(changes.length);
    const next = publish(v, deltas);
    expect(next.diff.added.map((a) => a.title)).toEqual(['New one']);
    expect(next.entries.filter((e) => e.status !== 'retired')).toHaveLength(3);
  });

  it("checks a reflector's proposed updates, merges and retires with the rest, dropping what the playbook refuses", () => {
    const uses: EntryUse[] = [
      { entryId: 'pb-risky', sessionId: 'ses_3', succeeded: false },
      { entryId: 'pb-risky', sessionId: 'ses_4', succeeded: false },
      { entryId: 'pb-risky', sessionId: 'ses_5', succeeded: false },
    ];
    const plain = v.entries.find((e) => e.title === 'Lesson pb-plain')!.id;
    const { deltas, changes, skipped } = curate(v.entries, [], uses, {
      proposed: [
        {
          delta: { kind: 'update', id: plain, patch: { guidance: 'Say when, and why.' } },
          title: 'Lesson pb-plain',
          reason: 'clearer (model reflector)',
        },
        // The counters retire pb-risky in this dream: updating it is refused.
        {
          delta: { kind: 'update', id: 'pb-risky', patch: { title: 'Hover lower' } },
          title: 'Lesson pb-risky',
          reason: 'sharper',
        },
        {
          delta: { kind: 'retire', id: 'pb-brake', reason: 'no use' },
          title: 'Lesson pb-brake',
          reason: 'no use',
        },
      ],
    });
    expect(deltas.map((d) => `${d.kind}:${'id' in d ? d.id : ''}`)).toEqual([
      'record_outcome:pb-risky',
      'retire:pb-risky',
      `update:${plain}`,
      'retire:pb-brake',
    ]);
    expect(changes[2]).toMatchObject({
      kind: 'update',
      entryId: plain,
      reason: 'clearer (model reflector)',
    });
    expect(skipped).toEqual([
      {
        title: 'Lesson pb-risky',
        reason: expect.stringMatching(/^the playbook would refuse it: /),
      },
    ]);
    expect(publish(v, deltas).entries.find((e) => e.id === plain)?.guidance).toBe(
      'Say when, and why.',
    );
  });

  it('returns nothing for nothing', () => {
    expect(curate(v.entries, [], [])).toEqual({ deltas: [], changes: [], skipped: [], kept: [] });
  });
});
