import { diffVersions, stableJson, summarizeDiff } from './diff-versions';
import { anEntry, aRule, deepFreeze } from './testing';

describe('diffVersions', () => {
  const a = deepFreeze({
    entries: [
      anEntry({ id: 'pb-keep' }),
      anEntry({ id: 'pb-edit', helpful: 1 }),
      anEntry({ id: 'pb-gone' }),
      anEntry({ id: 'pb-retire' }),
    ],
  });
  const b = deepFreeze({
    entries: [
      anEntry({ id: 'pb-keep', updatedAt: '2030-01-01T00:00:00.000Z' }),
      anEntry({ id: 'pb-edit', helpful: 2, guidance: 'new text', rule: aRule() }),
      anEntry({ id: 'pb-retire', status: 'retired', retiredReason: 'hurt' }),
      anEntry({ id: 'pb-new', title: 'New one' }),
    ],
  });

  it('lists added, removed and changed entries with per-field before and after', () => {
    const diff = diffVersions(a, b);
    expect(diff.added).toEqual([{ id: 'pb-new', title: 'New one' }]);
    expect(diff.removed).toEqual([{ id: 'pb-gone', title: 'Lesson pb-gone' }]);
    expect(diff.changed).toEqual([
      {
        id: 'pb-edit',
        title: 'Lesson pb-edit',
        changes: [
          { field: 'guidance', before: a.entries[1].guidance, after: 'new text' },
          { field: 'rule', before: undefined, after: aRule() },
          { field: 'helpful', before: 1, after: 2 },
        ],
      },
      {
        id: 'pb-retire',
        title: 'Lesson pb-retire',
        changes: [
          { field: 'status', before: 'active', after: 'retired' },
          { field: 'retiredReason', before: undefined, after: 'hurt' },
        ],
      },
    ]);
  });

  it('ignores timestamps and key order, and is empty between equal versions', () => {
    const reordered = {
      entries: [{ ...anEntry({ rule: { then: aRule().then, when: aRule().when } }) }],
    };
    const diff = diffVersions({ entries: [anEntry({ rule: aRule() })] }, reordered);
    expect(diff).toEqual({ added: [], removed: [], changed: [] });
    expect(diffVersions(a, a)).toEqual({ added: [], removed: [], changed: [] });
  });

  it('summarises in words', () => {
    expect(summarizeDiff(diffVersions(a, b))).toBe('1 added, 1 removed, 1 retired, 1 changed');
    expect(summarizeDiff(diffVersions(a, a))).toBe('no changes');
  });

  it('compares JSON regardless of key order', () => {
    expect(stableJson({ b: 1, a: [{ y: 2, x: undefined }] })).toBe('{"a":[{"y":2}],"b":1}');
  });
});
