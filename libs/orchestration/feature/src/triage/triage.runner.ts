import { Logger } from '@nestjs/common';
import type { RunSpec } from '@reverie/contracts';
import {
  CI_LOG_TRIAGE_ENVIRONMENT,
  runBuiltinTriage,
  toLineRules,
  TRIAGER,
  type TriageCase,
} from '@reverie/ci-log-triage';
import { renderMarkdown, renderRules } from '@reverie/playbooks-domain';
import {
  SessionFailure,
  type EnvironmentRun,
  type EnvironmentRunner,
  type RunPlan,
} from '../runs/environment-runner';
import { runModelTriage } from './model-triage';
import { caseIdOf, TRIAGE_DATASET, type TriageCaseSource } from './triage-cases';

/** ci-log-triage: one triager (a team of one) answers with the lines that explain a failed build. */
export class TriageRunner implements EnvironmentRunner {
  readonly environment = CI_LOG_TRIAGE_ENVIRONMENT.name;
  private readonly logger = new Logger(TriageRunner.name);

  constructor(private readonly cases: TriageCaseSource) {}

  plan(run: RunSpec): RunPlan {
    const task = caseIdOf(run.task);
    if (!task.ok) throw new SessionFailure(task.reason, 'invalid_task');
    return { title: task.caseId, roles: null };
  }

  async execute(session: EnvironmentRun): Promise<void> {
    const task = caseIdOf(session.run.task);
    if (!task.ok) throw new SessionFailure(task.reason, 'invalid_task');
    const triageCase = await this.loadCase(task.caseId);
    const settings = session.settings(TRIAGER);
    if (settings.provider === 'builtin') this.runBuiltin(triageCase, session);
    else await this.runModel(triageCase, session);
  }

  /**
   * The case, or a SessionFailure the tenant sees (the error event and the session's end reason):
   * it names the case only. The read error names files on this server, so it goes to the log.
   */
  private async loadCase(caseId: string): Promise<TriageCase> {
    try {
      return await this.cases.get(caseId);
    } catch (err) {
      this.logger.warn(`cannot read triage case "${caseId}": ${(err as Error).message}`);
      throw new SessionFailure(
        `unknown case "${caseId}": the ${TRIAGE_DATASET} dataset has no readable case of that id`,
        'unknown_case',
      );
    }
  }

  /** Deterministic: all events are known at once and published with the ended event. */
  private runBuiltin(triageCase: TriageCase, session: EnvironmentRun): void {
    const playbook = session.playbook(null);
    const adapted = toLineRules(playbook ? renderRules(playbook) : []);
    if (adapted.skipped.length) {
      this.logger.warn(
        `playbook ${playbook?.playbookId} v${playbook?.version}: skipped ${adapted.skipped.map((s) => `${s.entryId} (${s.reason})`).join('; ')}`,
      );
      session.append([
        {
          clientEventId: 'step-0-playbook',
          type: 'observation',
          actor: TRIAGER,
          step: 0,
          data: { skippedRules: adapted.skipped.map((s) => ({ ...s })) },
        },
      ]);
    }
    session.append(runBuiltinTriage(triageCase, adapted.rules).events);
  }

  /** A model answers: events are published as they happen, so progress shows while it works. */
  private async runModel(triageCase: TriageCase, session: EnvironmentRun): Promise<void> {
    const playbook = session.playbook(null);
    const settings = session.settings(TRIAGER);
    await session.flush();
    await runModelTriage(triageCase, {
      provider: session.provider(settings),
      model: settings.model,
      maxTokens: settings.maxTokens,
      maxTurns: session.maxModelTurns,
      ...(session.revision ? { feedback: session.revision.feedback } : {}),
      playbookMarkdown: playbook
        ? renderMarkdown({ ...playbook, role: playbook.role ?? undefined })
        : null,
      record: async (events) => {
        session.append(events);
        await session.flush();
      },
    });
  }
}
