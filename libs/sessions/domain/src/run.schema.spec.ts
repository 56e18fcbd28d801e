import { useDatasets } from '@reverie/environments';
import { ApiError, parseOrThrow } from '@reverie/http';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { batchTasksSchema, createBatchSchema, runRequestSchema, taskTitle } from './run.schema';
import { createSessionSchema, listSessionsQuerySchema } from './session.schema';

const problems = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as ApiError).details ?? [];
  }
  throw new Error('expected a validation error');
};

describe('managed session run block', () => {
  it('accepts a ci-log-triage run with a case id and model settings', () => {
    const input = parseOrThrow(
      createSessionSchema,
      {
        agentId: 'agt_1',
        run: {
          environment: 'ci-log-triage',
          task: { caseId: 'assertj_1944' },
          model: { provider: 'anthropic', model: 'claude-x', maxTokens: 2_000 },
        },
      },
      'session',
    );
    expect(input.run).toEqual({
      environment: 'ci-log-triage',
      task: { caseId: 'assertj_1944' },
      model: { provider: 'anthropic', model: 'claude-x', maxTokens: 2_000 },
    });
    if (!input.run) throw new Error('run was dropped');
    expect(taskTitle(input.run)).toBe('assertj_1944');
  });

  it.each([
    [
      { environment: 'ci-log-triage', task: {} },
      'run.task.caseId',
      /is required: the id of a case/,
    ],
    [{ environment: 'ci-log-triage', task: { caseId: 7 } }, 'run.task.caseId', /is required/],
    [
      { environment: 'ci-log-triage', task: { caseId: 'a b' } },
      'run.task.caseId',
      /letters, digits/,
    ],
    [
      { environment: 'ci-log-triage', task: { caseId: 'x', log: '...' } },
      'run.task',
      /Unrecognized key.*log/,
    ],
    [{ environment: 'lunar-orbit', task: { caseId: 'x' } }, 'run.environment', /ci-log-triage/],
    [{ environment: 'ci-log-triage' }, 'run.task', /record|object/],
    [
      { environment: 'ci-log-triage', task: { caseId: 'x' }, model: { provider: 'gpt' } },
      'run.model.provider',
      /builtin|anthropic/,
    ],
    [
      { environment: 'ci-log-triage', task: { caseId: 'x' }, speed: 'fast' },
      'run',
      /Unrecognized key.*speed/,
    ],
  ])('reports %j at %s', (run, path, message) => {
    const found = problems(() =>
      parseOrThrow(createSessionSchema, { agentId: 'agt_1', run }, 'session'),
    ).find((d) => d.path === path);
    expect(found?.message).toMatch(message);
  });

  it('is optional: without it the session is external, as before', () => {
    expect(parseOrThrow(runRequestSchema.optional(), undefined, 'run')).toBeUndefined();
    expect(createSessionSchema.parse({ agentId: 'agt_1' })).toEqual({ agentId: 'agt_1' });
  });

  it('lets sessions be listed by batch', () => {
    expect(listSessionsQuerySchema.parse({ batchId: 'bat_1' })).toMatchObject({
      batchId: 'bat_1',
      limit: 20,
    });
  });
});

describe('batch requests', () => {
  const body = {
    agentId: 'agt_1',
    run: { environment: 'ci-log-triage', model: { provider: 'builtin' } },
    tasks: [{ caseId: 'a' }, { caseId: 'b' }],
  };

  it('takes shared run settings without a task, and any number of tasks to check later', () => {
    expect(createBatchSchema.parse(body)).toEqual(body);
    const paths = problems(() =>
      parseOrThrow(createBatchSchema, { ...body, run: { ...body.run, task: {} } }, 'batch'),
    ).map((d) => d.path);
    expect(paths).toEqual(['run']);
    expect(
      problems(() => parseOrThrow(createBatchSchema, { ...body, tasks: [] }, 'batch')),
    ).toEqual([{ path: 'tasks', message: 'must hold at least one task' }]);
  });

  it('points at each bad task by index, listing at most 50', () => {
    const tasks = [
      { caseId: 'ok' },
      {},
      { caseId: 'ok', extra: 1 },
      'assertj_1944',
      ...Array.from({ length: 100 }, () => ({})),
    ];
    let message = '';
    const details = problems(() => {
      try {
        parseOrThrow(batchTasksSchema('ci-log-triage'), tasks, 'batch', 'tasks');
      } catch (err) {
        message = (err as Error).message;
        throw err;
      }
    });
    expect(details.slice(0, 3).map((d) => d.path)).toEqual([
      'tasks[1].caseId',
      'tasks[2]',
      'tasks[3]',
    ]);
    expect(details).toHaveLength(50);
    expect(message).toMatch(/^invalid batch: tasks\[1\]\.caseId is required.*\(and 102 more\)$/);
  });

  it('returns the tasks when all fit the environment', () => {
    expect(parseOrThrow(batchTasksSchema('ci-log-triage'), body.tasks, 'batch', 'tasks')).toEqual(
      body.tasks,
    );
  });
});

describe('a triage task checked against the dataset the gateway lists at start-up', () => {
  const run = (caseId: string) => ({
    agentId: 'agt_1',
    run: { environment: 'ci-log-triage', task: { caseId } },
  });

  it('refuses an id that is no case folder name even before the dataset is listed', () => {
    expect(problems(() => parseOrThrow(createSessionSchema, run('..'), 'session'))).toEqual([
      expect.objectContaining({
        path: 'run.task.caseId',
        message: expect.stringMatching(/no leading dot and no "\.\."/),
      }),
    ]);
  });

  describe('once listed', () => {
    beforeAll(() => useDatasets(BUNDLED_DATASETS_DIR));

    it.each(['constructor', '__proto__', 'toString', 'no_such_case', 'LICENSE'])(
      'refuses case %s with a 400 naming the field and the known cases',
      (caseId) => {
        const details = problems(() => parseOrThrow(createSessionSchema, run(caseId), 'session'));
        expect(details).toEqual([
          {
            path: 'run.task.caseId',
            message: expect.stringMatching(
              new RegExp(
                `^no case "${caseId}" in the ci-log-triage dataset; its cases are assertj_1944, `,
              ),
            ),
          },
        ]);
        // The tenant is told the ids, never where the dataset lies on the server.
        expect(JSON.stringify(details)).not.toContain(BUNDLED_DATASETS_DIR);
      },
    );

    it('accepts a case of the dataset, and points at each unknown one of a batch', () => {
      expect(parseOrThrow(createSessionSchema, run('cidiff_75'), 'session').run?.task).toEqual({
        caseId: 'cidiff_75',
      });
      const tasks = [{ caseId: 'assertj_1944' }, { caseId: 'constructor' }, { caseId: '..' }];
      expect(
        problems(() => parseOrThrow(batchTasksSchema('ci-log-triage'), tasks, 'batch', 'tasks')),
      ).toEqual([
        expect.objectContaining({
          path: 'tasks[1].caseId',
          message: expect.stringMatching(/^no case "constructor"/),
        }),
        expect.objectContaining({
          path: 'tasks[2].caseId',
          message: expect.stringMatching(/\.\./),
        }),
      ]);
    });
  });
});
