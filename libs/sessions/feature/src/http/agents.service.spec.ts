import { parseOrThrow } from '@reverie/http';
import { listAgentsQuerySchema } from './agents.service';

describe('GET /v1/agents query', () => {
  it('takes limit and after_name', () => {
    expect(listAgentsQuerySchema.parse({})).toEqual({ limit: 100 });
    expect(listAgentsQuerySchema.parse({ limit: '5', after_name: 'moon' })).toEqual({
      limit: 5,
      after_name: 'moon',
    });
  });

  it.each([
    [{ 'after_name[$gt]': '' }, /query has an unrecognized key|after_name\[\$gt\]/],
    [{ colour: 'red' }, /colour/],
    [{ after_name: 'a'.repeat(101) }, /query\.after_name/],
  ])('refuses %j, as the other lists do', (query, message) => {
    expect(() => parseOrThrow(listAgentsQuerySchema, query, 'query', 'query')).toThrow(message);
  });
});
