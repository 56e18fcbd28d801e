import { sideBySide } from './side-by-side';

const e = (id: string, title: string, extra: Record<string, unknown> = {}) => ({
  id,
  title,
  guidance: `do ${title}`,
  status: 'active',
  ...extra,
});

describe('sideBySide', () => {
  it('aligns entries by id and marks added, removed, changed and unchanged ones', () => {
    const from = [e('a', 'A'), e('b', 'B'), e('c', 'C')];
    const to = [e('a', 'A'), e('c', 'C', { guidance: 'new text', status: 'retired' }), e('d', 'D')];
    const rows = sideBySide(from, to);
    expect(rows.map((r) => [r.id, r.change])).toEqual([
      ['a', 'same'],
      ['b', 'removed'],
      ['c', 'changed'],
      ['d', 'added'],
    ]);
    expect(rows[2].fields).toEqual(['guidance', 'status']);
    expect(rows[1].right).toBeNull();
    expect(rows[3].left).toBeNull();
  });

  it('compares structured rules by value', () => {
    const rule = {
      when: { all: [{ fact: 'altitude', op: 'lt', value: 50 }] },
      then: { throttle: 1 },
    };
    const rows = sideBySide(
      [e('r', 'R', { rule })],
      [e('r', 'R', { rule: { ...rule, then: { throttle: 0.9 } } })],
    );
    expect(rows[0]).toMatchObject({ change: 'changed', fields: ['rule'] });
  });

  it('places a removed first entry first', () => {
    expect(sideBySide([e('x', 'X'), e('y', 'Y')], [e('y', 'Y')]).map((r) => r.id)).toEqual([
      'x',
      'y',
    ]);
  });
});
