import { proposalSummary } from './proposal-summary';

describe('a proposal in one line', () => {
  it('counts an entry whose only change is its counters apart from changed guidance', () => {
    expect(
      proposalSummary({
        added: [{ title: 'Flare early' }],
        changed: [
          { title: 'Brake low', changes: [{ field: 'helpful' }, { field: 'harmful' }] },
          { title: 'Scan twice', changes: [{ field: 'helpful' }] },
          { title: 'Hold course', changes: [{ field: 'guidance' }, { field: 'helpful' }] },
          { title: 'Old rule', changes: [{ field: 'status', after: 'retired' }] },
        ],
        removed: [],
      }),
    ).toBe('1 added, 1 changed, 1 retired, 2 counter updates: Flare early');
  });

  it('says when nothing but counters moved, and when nothing did', () => {
    expect(proposalSummary({ changed: [{ title: 'x', changes: [{ field: 'harmful' }] }] })).toBe(
      '1 counter update',
    );
    expect(proposalSummary({})).toBe('no changes');
  });
});
