import { applyDeltas } from './apply-deltas';
import { PlaybookError } from './playbook-error';
import { aDream, anEntry, aPerson, aVersion, deepFreeze } from './testing';
import {
  assertApprovable,
  currentVersion,
  nextVersionNumber,
  rollbackTo,
  transitionStatus,
} from './version-history';
import type { PlaybookVersion } from './version.schema';

const NOW = '2025-03-01T00:00:00.000Z';

/** v1 (superseded) -> v2 (superseded) -> v3 (active), v4 proposed, v5 rejected. */
function history(): PlaybookVersion[] {
  const v1 = aVersion({ entries: [anEntry({ id: 'pb-a', helpful: 1 })] });
  const v2 = applyDeltas(
    v1,
    [{ kind: 'add', entry: { id: 'pb-b', title: 'B', guidance: 'Do B.', rationale: 'B works.' } }],
    aDream(),
    NOW,
  );
  const v3 = applyDeltas(
    v2,
    [
      { kind: 'retire', id: 'pb-a' },
      { kind: 'record_outcome', id: 'pb-b', helpful: 4 },
    ],
    aPerson(),
    NOW,
  );
  const v4 = applyDeltas(v3, [{ kind: 'retire', id: 'pb-b' }], aDream(), NOW, {
    status: 'proposed',
  });
  const v5 = {
    ...applyDeltas(v3, [{ kind: 'record_outcome', id: 'pb-b', harmful: 1 }], aDream(), NOW, {
      version: 5,
    }),
    status: 'rejected' as const,
  };
  return deepFreeze([{ ...v1, status: 'superseded' }, { ...v2, status: 'superseded' }, v3, v4, v5]);
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

describe('rollbackTo', () => {
  it('makes a new active version with the target entries on top of the active one', () => {
    const h = history();
    const back = rollbackTo(h, 1, aPerson(), NOW);
    expect(back).toMatchObject({
      version: 6,
      parentVersion: 3,
      status: 'active',
      message: 'Roll back to version 1',
      author: aPerson(),
    });
    expect(back.entries).toEqual(h[0].entries);
    expect(back.entries[0]).not.toBe(h[0].entries[0]);
    expect(back.diff.removed.map((e) => e.id)).toEqual(['pb-b']);
    expect(back.diff.changed[0].changes).toContainEqual({
      field: 'status',
      before: 'retired',
      after: 'active',
    });
    expect(h).toEqual(history());
  });

  it('refuses unknown, never-active and current targets, and identical content', () => {
    const h = history();
    expect(errorOf(() => rollbackTo(h, 9, aPerson(), NOW))).toMatchObject({
      code: 'version_not_found',
      message: expect.stringMatching(/no version 9 .* \(it has versions 1 to 5\)/),
    });
    expect(errorOf(() => rollbackTo(h, 4, aPerson(), NOW)).message).toMatch(
      /version 4 was proposed and never ran/,
    );
    expect(errorOf(() => rollbackTo(h, 5, aPerson(), NOW)).message).toMatch(/was rejected/);
    expect(errorOf(() => rollbackTo(h, 3, aPerson(), NOW)).code).toBe('no_change');
    const same = [...h, { ...h[2], version: 6, parentVersion: 3 }].map((v) =>
      v.version === 3 ? { ...v, status: 'superseded' as const } : v,
    );
    expect(errorOf(() => rollbackTo(same, 3, aPerson(), NOW)).message).toMatch(
      /same entries as the active version 6/,
    );
  });
});

describe('version lifecycle', () => {
  it('finds the active version and the next free number', () => {
    expect(currentVersion(history())?.version).toBe(3);
    expect(currentVersion([])).toBeUndefined();
    expect(nextVersionNumber(history())).toBe(6);
    expect(nextVersionNumber([])).toBe(1);
  });

  it('allows proposed -> active | rejected and active -> superseded only', () => {
    const [v1, , v3, v4] = history();
    expect(transitionStatus(v4, 'active').status).toBe('active');
    expect(transitionStatus(v4, 'rejected').status).toBe('rejected');
    expect(transitionStatus(v3, 'superseded').status).toBe('superseded');
    expect(errorOf(() => transitionStatus(v1, 'active'))).toMatchObject({
      code: 'invalid_transition',
      message: expect.stringMatching(
        /is superseded and cannot become active; roll back to it instead/,
      ),
    });
    const rejected = history()[4];
    expect(errorOf(() => transitionStatus(rejected, 'active')).message).toMatch(
      /is rejected and cannot become active; propose the change again/,
    );
  });

  it('approves a proposal only while its parent is the active version', () => {
    const h = history();
    expect(() => assertApprovable(h, h[3])).not.toThrow();
    const moved = [
      ...h.slice(0, 2),
      { ...h[2], status: 'superseded' as const },
      h[3],
      { ...h[4], status: 'active' as const },
    ];
    expect(errorOf(() => assertApprovable(moved, h[3])).message).toMatch(
      /proposed against version 3, but the active version is now 5; reject it and propose the change again/,
    );
    expect(errorOf(() => assertApprovable(h, h[2])).message).toMatch(
      /only a proposal can be approved/,
    );
  });
});
