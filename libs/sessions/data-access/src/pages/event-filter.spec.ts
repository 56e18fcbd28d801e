import { checkFilter, matches, UnsupportedFilterError } from './event-filter';

const event = {
  sessionId: 'ses_1',
  seq: 3,
  body: {
    type: 'action',
    name: 'apply_rule',
    params: { entryId: 'e1', tags: ['a', 'b'] },
    data: { result: null, items: [{ k: 1 }, { k: 5 }] },
  },
};

describe('event filter (MongoDB semantics in memory)', () => {
  it.each([
    [{ 'body.type': 'action' }, true],
    [{ 'body.type': 'message' }, false],
    [{ 'body.type': { $in: ['action', 'tool_call'] } }, true],
    [{ 'body.type': { $nin: ['action'] } }, false],
    [{ 'body.name': { $ne: 'apply_rule' } }, false],
    [{ 'body.data.result': { $exists: true } }, true],
    [{ 'body.data.scenario': { $exists: true } }, false],
    [{ 'body.data.scenario': { $exists: false } }, true],
    [{ 'body.data.scenario': null }, true],
    [{ 'body.params.tags': 'b' }, true],
    [{ 'body.params.tags': ['a', 'b'] }, true],
    [{ 'body.data.items.k': { $gt: 4 } }, true],
    [{ 'body.data.items.k': { $gt: 5 } }, false],
    [{ 'body.data.items.1.k': 5 }, true],
    [{ seq: { $gte: 3, $lt: 4 } }, true],
    [{ 'body.name': { $regex: '^APPLY', $options: 'i' } }, true],
    [{ 'body.name': { $not: { $regex: '^apply' } } }, false],
    [{ $or: [{ 'body.data.scenario': { $exists: true } }, { 'body.name': 'apply_rule' }] }, true],
    [{ $and: [{ 'body.type': 'action' }, { 'body.name': 'other' }] }, false],
    [{ $nor: [{ 'body.type': 'message' }] }, true],
    [{}, true],
  ])('%j matches: %s', (filter, expected) => {
    expect(matches(event, filter)).toBe(expected);
  });

  it('refuses operators it does not implement, by name', () => {
    expect(() => checkFilter({ $where: 'true' })).toThrow(UnsupportedFilterError);
    expect(() => checkFilter({ 'body.x': { $elemMatch: { a: 1 } } })).toThrow(/\$elemMatch/);
    expect(() => checkFilter({ $or: [{ 'body.x': { $size: 2 } }] })).toThrow(/\$size/);
    expect(() => checkFilter({ 'body.type': { $in: ['a'] } })).not.toThrow();
  });
});
