import type { RunSpec } from '@reverie/contracts';
import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { SessionFailure, type EnvironmentRun } from '../runs/environment-runner';
import { DatasetCaseSource } from './triage-cases';
import { TriageRunner } from './triage.runner';

/** A session of `caseId` as far as the runner reads it before it loads the case. */
const sessionOf = (caseId: string) =>
  ({
    sessionId: 'ses_1',
    run: { environment: 'ci-log-triage', task: { caseId } } as unknown as RunSpec,
  }) as EnvironmentRun;

describe('TriageRunner on the bundled dataset', () => {
  const runner = new TriageRunner(new DatasetCaseSource(BUNDLED_DATASETS_DIR));

  it.each(['constructor', '__proto__', 'no_such_case'])(
    'fails a session of case %s naming the case, never a file of the server',
    async (caseId) => {
      const failure = await runner.execute(sessionOf(caseId)).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SessionFailure);
      expect(failure).toMatchObject({
        code: 'unknown_case',
        message: `unknown case "${caseId}": the ci-breakages dataset has no readable case of that id`,
      });
      expect((failure as Error).message).not.toContain(BUNDLED_DATASETS_DIR);
    },
  );

  it('refuses an id that is no folder name before reading anything', async () => {
    await expect(runner.execute(sessionOf('..'))).rejects.toMatchObject({ code: 'invalid_task' });
  });
});
