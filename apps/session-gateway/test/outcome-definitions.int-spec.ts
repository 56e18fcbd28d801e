import { anAgent, type ApiClient, type Json } from '@reverie/testing';
import { expectApiError, startGateway, type RunningGateway } from './gateway.harness';

const lander = (criteria: Json[], extra: Record<string, Json> = {}) => ({
  description: 'Land softly',
  environment: 'lunar-lander',
  criteria,
  ...extra,
});
const safe = { id: 'safe', kind: 'bound', path: 'touchdown.safe', op: 'eq', value: true };
const quick = { id: 'quick', kind: 'step_limit', maxSteps: 200 };

/**
 * Outcome definitions (rubrics) over HTTP against the real gateway: versions, validation errors
 * with their paths, 404s. Outcomes and regrades: outcomes.int-spec.ts.
 */
describe('outcome definitions over HTTP', () => {
  let gateway: RunningGateway;
  let alice: ApiClient;
  let bob: ApiClient;
  let agentId: string;
  let base: string;

  const put = (api: ApiClient, path: string, body: unknown) => api.request('PUT', path, body);

  beforeAll(async () => {
    gateway = await startGateway();
    [alice, bob] = await Promise.all([gateway.tenant(), gateway.tenant()]);
    const agent = await alice.post('/v1/agents', anAgent());
    agentId = agent.body.id;
    base = `/v1/agents/${agentId}/outcome`;
  });
  afterAll(() => gateway?.close());

  it('answers 404 with what to do before there is a definition', async () => {
    expectApiError(
      await alice.get(base),
      404,
      'not_found_error',
      new RegExp(
        `^agent "${agentId}" has no outcome definition; define one with PUT /v1/agents/${agentId}/outcome$`,
      ),
    );
    expect((await alice.get(`${base}/versions`)).body).toEqual({ data: [] });
  });

  it('stores versions with defaults filled in, and answers an unchanged definition with its version', async () => {
    const v1 = await put(alice, base, lander([{ ...safe, required: true }, quick]));
    expect(v1.status).toBe(200);
    expect(v1.body).toEqual({
      type: 'outcome_definition',
      agentId,
      version: 1,
      definition: {
        description: 'Land softly',
        environment: 'lunar-lander',
        maxIterations: 3,
        passingScore: 0.8,
        criteria: [
          { ...safe, required: true, weight: 1 },
          { ...quick, required: false, weight: 1 },
        ],
      },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      author: expect.stringMatching(/^[a-f0-9]{16}$/),
    });
    expect((await alice.get(base)).body).toEqual(v1.body);

    // The same definition again (defaults spelled out this time) changes nothing.
    const same = await put(alice, base, { ...v1.body.definition });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(v1.body);

    const v2 = await put(alice, base, lander([safe], { maxIterations: 5 }));
    expect(v2.body).toMatchObject({ version: 2, definition: { maxIterations: 5 } });
    expect((await alice.get(base)).body).toEqual(v2.body);
    expect((await alice.get(`${base}?version=1`)).body).toEqual(v1.body);
    const versions = await alice.get(`${base}/versions`);
    expect(versions.body.data).toEqual([v2.body, v1.body]);

    // The operator's promotion rule for dreams is part of the definition: stored, versioned.
    const v3 = await put(alice, base, lander([safe], { promotion: { familyTolerance: 0 } }));
    expect(v3.body).toMatchObject({
      version: 3,
      definition: { promotion: { familyTolerance: 0 } },
    });
    expect((await alice.get(base)).body).toEqual(v3.body);

    expectApiError(
      await alice.get(`${base}?version=9`),
      404,
      'not_found_error',
      /has no outcome definition version 9/,
    );
    expectApiError(
      await alice.get(`${base}?version=zero`),
      400,
      'invalid_request_error',
      /query.version/,
    );
  });

  it.each([
    ['an empty rubric', lander([]), 'criteria', /at least one criterion/],
    [
      'a weight of 0',
      lander([{ ...safe, weight: 0 }]),
      'criteria[0].weight',
      /positive number, got 0/,
    ],
    [
      'an unknown fact path',
      lander([{ ...safe, path: 'touchdown.vertical_sped' }]),
      'criteria[0].path',
      /"touchdown.vertical_sped" is not a known value for lunar-lander; known: .*touchdown.vertical_speed/,
    ],
    ['an unknown field', lander([safe], { colour: 'red' }), 'colour', /not a known field/],
    [
      'a negative family tolerance',
      lander([safe], { promotion: { familyTolerance: -1 } }),
      'promotion.familyTolerance',
      /whole number from 0 to 1000, got -1/,
    ],
  ])('refuses %s with a 400 naming the path', async (_what, body, path, message) => {
    const before = (await alice.get(`${base}/versions`)).body.data.length;
    const res = await put(alice, base, body);
    expectApiError(res, 400, 'invalid_request_error', /^invalid outcome definition: /);
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.message.startsWith(`invalid outcome definition: ${path} `)).toBe(true);
    expect(res.body.error.details).toEqual([{ path, message: expect.stringMatching(message) }]);
    expect((await alice.get(`${base}/versions`)).body.data).toHaveLength(before);
  });

  it('lists every problem at once, the message naming the first', async () => {
    const res = await put(
      alice,
      base,
      lander(
        [
          { ...safe, weight: 0 },
          { ...quick, maxSteps: 0 },
        ],
        { passingScore: 2 },
      ),
    );
    expectApiError(res, 400, 'invalid_request_error', /\(and 2 more\)$/);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'criteria[0].weight',
      'criteria[1].maxSteps',
      'passingScore',
    ]);
  });

  it("answers 404 for an agent that does not exist or is another tenant's", async () => {
    const none = /^agent "agt_nope" not found/;
    expectApiError(
      await put(alice, '/v1/agents/agt_nope/outcome', lander([safe])),
      404,
      'not_found_error',
      none,
    );
    expectApiError(await alice.get('/v1/agents/agt_nope/outcome'), 404, 'not_found_error', none);
    expectApiError(
      await alice.get('/v1/agents/agt_nope/outcome/versions'),
      404,
      'not_found_error',
      none,
    );
    expectApiError(await bob.get(base), 404, 'not_found_error', /not found/);
    expectApiError(await put(bob, base, lander([safe])), 404, 'not_found_error', /not found/);
  });

  it('documents the endpoints in the OpenAPI document', async () => {
    const doc = await gateway.anonymous.get('/docs-json');
    expect(doc.status).toBe(200);
    const definition = doc.body.paths['/v1/agents/{id}/outcome'];
    expect(definition.put.tags).toEqual(['outcomes']);
    const body = definition.put.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['description', 'criteria']));
    expect(body.properties.promotion.properties).toHaveProperty('familyTolerance');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/agents/{id}/outcome/versions',
        '/v1/sessions/{id}/outcome',
        '/v1/outcomes',
        '/v1/outcomes/regrade',
      ]),
    );
  });
});
