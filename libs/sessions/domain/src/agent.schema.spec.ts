import { ApiError, parseOrThrow } from '@reverie/http';
import {
  createAgentSchema,
  mergeAgentPatch,
  patchAgentSchema,
  patchedAgentSchema,
} from './agent.schema';

describe('agent settings', () => {
  it('fills defaults: builtin model, dreaming off, daily, propose', () => {
    expect(createAgentSchema.parse({ name: 'lander' })).toEqual({
      name: 'lander',
      roles: [],
      model: { provider: 'builtin' },
      dreaming: { enabled: false, frequency: 'daily', timezone: 'UTC', publish: 'propose' },
    });
  });

  it('accepts a cron schedule with a time zone, a window and budgets', () => {
    const agent = createAgentSchema.parse({
      name: 'triage',
      dreaming: {
        enabled: true,
        frequency: 'cron',
        cron: '30 2 * * 1-5',
        timezone: 'Europe/Paris',
        window: { start: '22:00', end: '05:00' },
        budget: { tokensPerDream: 50_000, tokensPerDay: 200_000 },
        publish: 'apply',
        model: { provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 2048 },
        instructions: 'prefer small changes',
      },
    });
    expect(agent.dreaming).toMatchObject({
      frequency: 'cron',
      cron: '30 2 * * 1-5',
      timezone: 'Europe/Paris',
      model: { provider: 'anthropic', model: 'claude-sonnet-4-5', maxTokens: 2048 },
      instructions: 'prefer small changes',
    });
  });

  it('checks each cron field and the time zone fully, saying what is wrong', () => {
    const message = (dreaming: object) => {
      try {
        parseOrThrow(createAgentSchema, { name: 'x', dreaming }, 'agent');
      } catch (err) {
        if (err instanceof ApiError) return err.message;
        throw err;
      }
      throw new Error('accepted');
    };
    expect(message({ enabled: true, frequency: 'cron', cron: '99 99 * * *' })).toBe(
      'invalid agent: dreaming.cron "99 99 * * *": minute 99 is out of range 0-59',
    );
    // Each of these used to pass the old pattern check and then fail or never run.
    expect(message({ frequency: 'cron', cron: '0 3 * * 9' })).toMatch(
      /dreaming.cron "0 3 \* \* 9": day-of-week 9 is out of range 0-7/,
    );
    expect(message({ frequency: 'cron', cron: '0 3 31 2 *' })).toMatch(/never runs/);
    expect(message({ frequency: 'cron', cron: '*/0 3 * * *' })).toMatch(/step "0"/);
    expect(message({ timezone: '+05:00' })).toMatch(/dreaming.timezone "\+05:00" is not an IANA/);
    expect(
      parseOrThrow(
        createAgentSchema,
        {
          name: 'x',
          dreaming: { frequency: 'cron', cron: '0 9 * * mon-fri', timezone: 'US/Pacific' },
        },
        'agent',
      ).dreaming.cron,
    ).toBe('0 9 * * mon-fri');
  });

  it.each([
    [
      { name: 'x', dreaming: { frequency: 'cron' } },
      'dreaming.cron',
      /required when frequency is "cron"/,
    ],
    [
      { name: 'x', dreaming: { frequency: 'daily', cron: '0 3 * * *' } },
      'dreaming.cron',
      /only allowed/,
    ],
    [
      { name: 'x', dreaming: { frequency: 'cron', cron: 'every day' } },
      'dreaming.cron',
      /five-field cron/,
    ],
    [{ name: 'x', dreaming: { timezone: 'Mars/Olympus' } }, 'dreaming.timezone', /IANA time zone/],
    [
      { name: 'x', dreaming: { frequency: 'monthly' } },
      'dreaming.frequency',
      /hourly|daily|weekly/,
    ],
    [
      { name: 'x', dreaming: { budget: { tokensPerDay: -5 } } },
      'dreaming.budget.tokensPerDay',
      /Too small|>0/,
    ],
    [
      { name: 'x', dreaming: { model: { provider: 'openai' } } },
      'dreaming.model.provider',
      /builtin|anthropic/,
    ],
    [
      { name: 'x', dreaming: { instructions: 'x'.repeat(4_097) } },
      'dreaming.instructions',
      /Too big|4096/,
    ],
    [{ name: 'x', roles: [{ name: 'a' }, { name: 'a' }] }, 'roles[1].name', /duplicates role "a"/],
    [{ name: '' }, 'name', /Too small|least/],
    // A misspelt model key is named, not dropped (the agent would silently keep the default).
    [
      { name: 'x', model: { provider: 'anthropic', modle: 'claude-sonnet-4-5' } },
      'model',
      /^Unrecognized key: "modle"$/,
    ],
    [
      { name: 'x', roles: [{ name: 'pilot', model: { temprature: 0.2 } }] },
      'roles[0].model',
      /^Unrecognized key: "temprature"$/,
    ],
    // "alpha " and "alpha" would be two agents that read the same.
    [{ name: 'alpha ' }, 'name', /^must not start or end with whitespace$/],
    [{ name: ' alpha' }, 'name', /^must not start or end with whitespace$/],
    [{ name: 'lunar  lander' }, 'name', /^must not contain two or more spaces in a row$/],
  ])('reports %j at %s', (input, path, message) => {
    try {
      parseOrThrow(createAgentSchema, input, 'agent');
      throw new Error('expected a validation error');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      const problem = (err as ApiError).details?.find((d) => d.path === path);
      expect(problem?.message).toMatch(message);
    }
  });

  it('merges a patch into the stored settings', () => {
    const current = createAgentSchema.parse({
      name: 'lander',
      dreaming: { enabled: true, frequency: 'hourly' },
    });
    const patch = patchAgentSchema.parse({
      dreaming: { window: { start: '01:00', end: '05:00' } },
      description: 'lands',
    });
    expect(createAgentSchema.parse(mergeAgentPatch(current, patch))).toMatchObject({
      name: 'lander',
      description: 'lands',
      dreaming: { enabled: true, frequency: 'hourly', window: { start: '01:00', end: '05:00' } },
    });
  });

  it("takes back the dreaming settings GET returned: the scheduler's record in them is read only", () => {
    const current = createAgentSchema.parse({ name: 'lander', dreaming: { enabled: true } });
    const asRead = {
      ...current.dreaming,
      lastScheduleError: { message: 'budget exceeded', at: '2026-11-27T01:00:00.000Z' },
    };
    const patch = parseOrThrow(
      patchAgentSchema,
      { dreaming: { ...asRead, frequency: 'daily' } },
      'agent update',
    );
    const merged = patchedAgentSchema.parse(mergeAgentPatch(current, patch));
    expect(merged.dreaming).toEqual({ ...current.dreaming, frequency: 'daily' });
    expect(merged.dreaming).not.toHaveProperty('lastScheduleError');
  });

  it('refuses a misspelt model key in a patch, naming it, once merged into the stored model', () => {
    const current = createAgentSchema.parse({ name: 'lander', model: { provider: 'anthropic' } });
    const patch = parseOrThrow(patchAgentSchema, { model: { modle: 'x' } }, 'agent update');
    expect(() =>
      parseOrThrow(patchedAgentSchema, mergeAgentPatch(current, patch), 'agent update'),
    ).toThrow('invalid agent update: model Unrecognized key: "modle"');
  });

  it('keeps stored agents patchable: defaults, and a name given before the space rules', () => {
    const defaults = createAgentSchema.parse({ name: 'lander' });
    expect(patchedAgentSchema.parse(mergeAgentPatch(defaults, {}))).toEqual(defaults);
    const legacy = { ...defaults, name: 'lander ' };
    expect(
      patchedAgentSchema.parse(mergeAgentPatch(legacy, { dreaming: { enabled: true } })),
    ).toMatchObject({ name: 'lander ', dreaming: { enabled: true } });
    // A new name is held to the rules, by PATCH as by create.
    expect(patchAgentSchema.safeParse({ name: 'lander 2 ' }).error?.issues[0].message).toBe(
      'must not start or end with whitespace',
    );
  });

  it('patches an agent whose description was cleared (stored as null) again', () => {
    const stored = { ...createAgentSchema.parse({ name: 'lander' }), description: null };
    const merged = mergeAgentPatch(stored as never, { dreaming: { enabled: true } });
    expect(createAgentSchema.parse(merged)).toMatchObject({
      name: 'lander',
      dreaming: { enabled: true },
    });
  });
});
