import { applyDeltas, deriveEntryId } from './apply-deltas';
import type { Delta } from './delta.schema';
import { PlaybookError } from './playbook-error';
import { aDream, anEntry, aPerson, aRule, aVersion, deepFreeze, T0 } from './testing';
import { emptyPlaybook, playbookVersionSchema, type PlaybookVersion } from './version.schema';

const NOW = '2025-02-01T10:00:00.000Z';

function apply(base: PlaybookVersion, deltas: Delta[], options = {}) {
  return applyDeltas(deepFreeze(base), deepFreeze(deltas), aPerson(), NOW, options);
}

function errorOf(fn: () => unknown): PlaybookError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PlaybookError) return e;
    throw e;
  }
  throw new Error('expected a PlaybookError');
}

const newEntry = {
  title: 'Flag the first failing test',
  guidance: 'Answer with the first line that says FAIL and the assertion below it.',
  rationale: 'Later failures are usually consequences of the first.',
};

describe('applyDeltas', () => {
  const base = () =>
    aVersion({
      version: 3,
      entries: [
        anEntry({ id: 'pb-a', helpful: 2, harmful: 1 }),
        anEntry({ id: 'pb-b', helpful: 4, harmful: 0, evidence: [{ sessionId: 'ses_2' }] }),
        anEntry({ id: 'pb-c', harmful: 3, evidence: [{ sessionId: 'ses_3', step: 7 }] }),
      ],
    });

  it('makes the next version on top of the base, never touching it', () => {
    const before = base();
    const next = apply(before, [{ kind: 'add', entry: { id: 'pb-new', ...newEntry } }]);
    expect(next).toMatchObject({ version: 4, parentVersion: 3, status: 'active', createdAt: NOW });
    expect(next.author).toEqual(aPerson());
    expect(next.entries.map((e) => e.id)).toEqual(['pb-a', 'pb-b', 'pb-c', 'pb-new']);
    expect(before).toEqual(base());
    expect(next.entries[0]).not.toBe(before.entries[0]);
    expect(playbookVersionSchema.parse(next)).toEqual(next);
  });

  it('starts a playbook from the empty one: version 1 with no parent', () => {
    const first = applyDeltas(
      deepFreeze(emptyPlaybook({ playbookId: 'pbk_1', agentId: 'agt_1', role: 'navigator' })),
      [{ kind: 'add', entry: newEntry }],
      aDream(),
      new Date(NOW),
      { status: 'proposed', message: 'learned from 3 sessions' },
    );
    expect(first).toMatchObject({
      version: 1,
      parentVersion: null,
      role: 'navigator',
      status: 'proposed',
      message: 'learned from 3 sessions',
      author: { kind: 'dream', id: 'dream_1' },
    });
    expect(first.diff.added).toEqual([{ id: deriveEntryId(newEntry), title: newEntry.title }]);
  });

  describe('add', () => {
    it('fills counters, status, evidence and timestamps; derives a stable id from the content', () => {
      const next = apply(base(), [{ kind: 'add', entry: newEntry }]);
      const added = next.entries[3];
      expect(added).toEqual({
        id: deriveEntryId(newEntry),
        ...newEntry,
        evidence: [],
        helpful: 0,
        harmful: 0,
        status: 'active',
        createdAt: NOW,
        updatedAt: NOW,
      });
      expect(added.id).toMatch(/^pb-[0-9a-f]{12}$/);
    });

    it('refuses an id that exists, and the same content twice', () => {
      expect(
        errorOf(() => apply(base(), [{ kind: 'add', entry: { id: 'pb-a', ...newEntry } }])),
      ).toMatchObject({
        code: 'duplicate_entry',
        message: expect.stringMatching(
          /deltas\[0\] \(add\): an entry with id "pb-a" already exists; choose another id/,
        ),
      });
      const twice = errorOf(() =>
        apply(base(), [
          { kind: 'add', entry: newEntry },
          { kind: 'add', entry: { ...newEntry, rationale: 'other' } },
        ]),
      );
      expect(twice.code).toBe('duplicate_entry');
      expect(twice.message).toMatch(/deltas\[1\].*same title and guidance/);
    });

    it('validates the entry with field paths', () => {
      const e = errorOf(() =>
        apply(base(), [
          {
            kind: 'add',
            entry: {
              ...newEntry,
              title: 'two\nlines',
              rule: { when: { feature: 'x', op: 'approx', value: 1 }, then: { action: 'a' } },
            },
          } as never,
        ]),
      );
      expect(e.code).toBe('invalid_delta');
      expect(e.status).toBe(400);
      expect(e.details.map((d) => d.path)).toEqual([
        'deltas[0].entry.title',
        'deltas[0].entry.rule.when',
      ]);
      expect(e.details[1].message).toMatch(/op "approx" is not an operator; use one of eq, ne/);
    });
  });

  describe('update', () => {
    it('changes only the given fields, appends evidence without duplicates, removes a rule with null', () => {
      const withRule = aVersion({ entries: [anEntry({ id: 'pb-a', rule: aRule() })] });
      const next = apply(withRule, [
        {
          kind: 'update',
          id: 'pb-a',
          patch: {
            guidance: 'Brake at 60 m.',
            addEvidence: [
              { sessionId: 'ses_1', step: 41, role: 'navigator' },
              { sessionId: 'ses_9' },
            ],
            rule: null,
          },
        },
      ]);
      const e = next.entries[0];
      expect(e.guidance).toBe('Brake at 60 m.');
      expect(e.title).toBe(withRule.entries[0].title);
      expect(e.evidence).toEqual([
        { sessionId: 'ses_1', step: 41, role: 'navigator' },
        { sessionId: 'ses_9' },
      ]);
      expect(e).not.toHaveProperty('rule');
      expect(e.createdAt).toBe(T0);
      expect(e.updatedAt).toBe(NOW);
      expect(next.diff.changed[0].changes.map((c) => c.field)).toEqual([
        'guidance',
        'evidence',
        'rule',
      ]);
    });

    it('promotes a proposed entry', () => {
      const next = apply(aVersion({ entries: [anEntry({ status: 'proposed' })] }), [
        { kind: 'update', id: 'pb-brake-low', patch: { status: 'active' } },
      ]);
      expect(next.entries[0].status).toBe('active');
    });

    it('refuses unknown and retired entries, empty patches and status "retired"', () => {
      expect(
        errorOf(() => apply(base(), [{ kind: 'update', id: 'pb-zz', patch: { title: 'x' } }])),
      ).toMatchObject({
        code: 'entry_not_found',
        status: 404,
        message: expect.stringMatching(
          /deltas\[0\] \(update\): no entry "pb-zz" in playbook pbk_lander version 3/,
        ),
      });
      const retired = aVersion({
        entries: [anEntry({ id: 'pb-old', status: 'retired', mergedInto: 'pb-new' })],
      });
      expect(
        errorOf(() => apply(retired, [{ kind: 'update', id: 'pb-old', patch: { title: 'x' } }])),
      ).toMatchObject({
        code: 'entry_retired',
        message: expect.stringMatching(
          /"pb-old" is retired \(merged into "pb-new"\) and cannot be updated; add a new entry/,
        ),
      });
      expect(
        errorOf(() => apply(base(), [{ kind: 'update', id: 'pb-a', patch: {} }])).message,
      ).toMatch(/deltas\[0\]\.patch: must change at least one field/);
      expect(
        errorOf(() =>
          apply(base(), [{ kind: 'update', id: 'pb-a', patch: { status: 'retired' } } as never]),
        ).code,
      ).toBe('invalid_delta');
    });

    it('refuses an update that changes nothing', () => {
      const b = base();
      expect(
        errorOf(() =>
          apply(b, [{ kind: 'update', id: 'pb-a', patch: { title: b.entries[0].title } }]),
        ),
      ).toMatchObject({
        code: 'no_change',
        message: expect.stringMatching(/leave playbook pbk_lander version 3 unchanged/),
      });
      expect(errorOf(() => apply(b, [])).code).toBe('no_change');
    });
  });

  describe('merge', () => {
    it('folds entries into one that keeps its place; the others retire pointing at it', () => {
      const next = apply(base(), [
        {
          kind: 'merge',
          into: 'pb-a',
          from: ['pb-b', 'pb-c'],
          patch: { guidance: 'Combined guidance.' },
        },
      ]);
      const [a, b, c] = next.entries;
      expect(a).toMatchObject({
        id: 'pb-a',
        status: 'active',
        guidance: 'Combined guidance.',
        helpful: 6,
        harmful: 4,
        evidence: [
          { sessionId: 'ses_1', step: 41, role: 'navigator' },
          { sessionId: 'ses_2' },
          { sessionId: 'ses_3', step: 7 },
        ],
      });
      expect(b).toMatchObject({
        status: 'retired',
        mergedInto: 'pb-a',
        retiredReason: 'merged into "pb-a"',
      });
      expect(c).toMatchObject({ status: 'retired', mergedInto: 'pb-a' });
      expect(b.helpful).toBe(4);
    });

    it.each([
      [
        { into: 'pb-a', from: ['pb-a'] },
        'invalid_delta',
        /both the entry merged into and one merged from/,
      ],
      [{ into: 'pb-a', from: ['pb-b', 'pb-b'] }, 'invalid_delta', /"pb-b" is listed twice/],
      [{ into: 'pb-a', from: ['pb-x'] }, 'entry_not_found', /no entry "pb-x"/],
      [{ into: 'pb-x', from: ['pb-a'] }, 'entry_not_found', /no entry "pb-x"/],
      [{ into: 'pb-a', from: [] }, 'invalid_delta', /deltas\[0\]\.from/],
    ])('refuses %j', (delta, code, message) => {
      const e = errorOf(() => apply(base(), [{ kind: 'merge', ...delta }]));
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });

    it('refuses to merge a retired entry', () => {
      const b = apply(base(), [{ kind: 'retire', id: 'pb-c' }]);
      expect(errorOf(() => apply(b, [{ kind: 'merge', into: 'pb-a', from: ['pb-c'] }])).code).toBe(
        'entry_retired',
      );
    });
  });

  describe('retire', () => {
    it('retires with a reason; a second retire is refused', () => {
      const next = apply(base(), [{ kind: 'retire', id: 'pb-c', reason: 'hurt 3 of 3 sessions' }]);
      expect(next.entries[2]).toMatchObject({
        status: 'retired',
        retiredReason: 'hurt 3 of 3 sessions',
        updatedAt: NOW,
      });
      expect(next.diff.changed[0].changes).toContainEqual({
        field: 'status',
        before: 'active',
        after: 'retired',
      });
      expect(errorOf(() => apply(next, [{ kind: 'retire', id: 'pb-c' }])).code).toBe(
        'entry_retired',
      );
    });
  });

  describe('record_outcome', () => {
    it('adds to the counters, retired entries included', () => {
      const retired = apply(base(), [{ kind: 'retire', id: 'pb-c' }]);
      const next = apply(retired, [
        { kind: 'record_outcome', id: 'pb-a', helpful: 3 },
        { kind: 'record_outcome', id: 'pb-a', harmful: 1 },
        { kind: 'record_outcome', id: 'pb-c', harmful: 2 },
      ]);
      expect(next.entries[0]).toMatchObject({ helpful: 5, harmful: 2 });
      expect(next.entries[2]).toMatchObject({ harmful: 5, status: 'retired' });
    });

    it('refuses a zero or negative count', () => {
      expect(
        errorOf(() => apply(base(), [{ kind: 'record_outcome', id: 'pb-a' }])).message,
      ).toMatch(/must count at least one helpful or harmful session/);
      expect(
        errorOf(() => apply(base(), [{ kind: 'record_outcome', id: 'pb-a', helpful: -1 }])).code,
      ).toBe('invalid_delta');
    });
  });

  it('applies deltas in order: later deltas see earlier ones', () => {
    const next = apply(base(), [
      { kind: 'add', entry: { id: 'pb-new', ...newEntry } },
      { kind: 'merge', into: 'pb-new', from: ['pb-a'] },
    ]);
    expect(next.entries.find((e) => e.id === 'pb-new')).toMatchObject({ helpful: 2, harmful: 1 });
    expect(next.diff.added).toEqual([{ id: 'pb-new', title: newEntry.title }]);
  });

  it('is all or nothing: a failing delta leaves no half-applied result', () => {
    const b = base();
    expect(() =>
      apply(b, [
        { kind: 'retire', id: 'pb-a' },
        { kind: 'retire', id: 'pb-zz' },
      ]),
    ).toThrow(/deltas\[1\]/);
    expect(b.entries[0].status).toBe('active');
  });

  it('runs the content guards on what the deltas touch', () => {
    const e = errorOf(() =>
      apply(base(), [
        { kind: 'update', id: 'pb-b', patch: { guidance: 'Log in with password=hunter22 first.' } },
      ]),
    );
    expect(e.code).toBe('content_rejected');
    expect(e.status).toBe(422);
    expect(e.message).toMatch(/entry "pb-b" guidance contains a credential assignment/);
    expect(e.message).not.toContain('hunter22');
    expect(e.details[0].path).toBe('entries[pb-b].guidance');
  });

  it('leaves untouched entries alone when guards get stricter, but enforces the total budget', () => {
    const long = aVersion({ entries: [anEntry({ id: 'pb-long', guidance: 'x'.repeat(500) })] });
    const next = apply(long, [{ kind: 'add', entry: newEntry }], { guard: { maxEntryChars: 300 } });
    expect(next.entries).toHaveLength(2);
    expect(
      errorOf(() =>
        apply(long, [{ kind: 'add', entry: newEntry }], { guard: { maxTotalChars: 400 } }),
      ).message,
    ).toMatch(/would total .* characters; the budget is 400/);
  });

  it('takes an explicit version number above the base, refuses one at or below it', () => {
    expect(apply(base(), [{ kind: 'retire', id: 'pb-a' }], { version: 6 }).version).toBe(6);
    expect(
      errorOf(() => apply(base(), [{ kind: 'retire', id: 'pb-a' }], { version: 3 })).message,
    ).toMatch(/must be an integer above 3/);
  });

  it('guards the version message', () => {
    expect(
      errorOf(() =>
        apply(base(), [{ kind: 'retire', id: 'pb-a' }], { message: 'asked by bob@acme.io' }),
      ).message,
    ).toMatch(/^message contains an email address/);
  });
});
