import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  RunModelSettings,
  RunRequested,
  SessionEventBody,
  SessionTopicMessage,
} from '@reverie/contracts';
import type { TriageCase } from '@reverie/ci-log-triage';
import { ModelProviderError, type ModelProvider } from '@reverie/models';
import { renderMarkdown, renderRules } from '@reverie/playbooks-domain';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from '../orchestration.options';
import { PlaybookCatalog, type ActivePlaybook } from '../playbooks/playbook-catalog';
import {
  sessionEnded,
  sessionEvents,
  sessionStarted,
  type SessionRef,
} from '../sessions/session-messages';
import { runBuiltinTriage, TRIAGER } from '../triage/builtin-triage';
import { NoAnswerError, runModelTriage } from '../triage/model-triage';
import { toLineRules } from '../triage/playbook-line-rules';
import { caseIdOf, TRIAGE_DATASET, type TriageCaseSource } from '../triage/triage-cases';
import { modelSettingsFor } from './model-settings';

/** Where a managed session's messages go (the session events topic). */
export interface SessionPublisher {
  publish(messages: SessionTopicMessage[]): Promise<void>;
}
export const SESSION_PUBLISHER = Symbol('SESSION_PUBLISHER');
export const TRIAGE_CASES = Symbol('TRIAGE_CASES');
/** Builds the model provider a run's settings ask for. */
export type ModelProviderFactory = (settings: RunModelSettings) => ModelProvider;
export const MODEL_PROVIDERS = Symbol('MODEL_PROVIDERS');

export interface SessionOutcome {
  status: 'completed' | 'failed';
  reason?: string;
}

/** Publishing failed: the run must be retried, not recorded as a failed session. */
class PublishError extends Error {}

/** A session that cannot go on, with the reason its ended event gives. */
class SessionFailure extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/**
 * Runs one managed session from its run command: publishes its started event (with the playbook
 * version it runs with), its events and its ended event to the session topic, where the gateway's
 * ingest stores them like any client's. What goes wrong in the session (an unknown case, a model
 * failure) ends it `failed` with the reason; only a failure to publish throws, so that the
 * command is retried.
 */
@Injectable()
export class ManagedSessionRunner {
  private readonly logger = new Logger(ManagedSessionRunner.name);

  constructor(
    private readonly catalog: PlaybookCatalog,
    @Inject(TRIAGE_CASES) private readonly cases: TriageCaseSource,
    @Inject(SESSION_PUBLISHER) private readonly publisher: SessionPublisher,
    @Inject(MODEL_PROVIDERS) private readonly providers: ModelProviderFactory,
    @Inject(ORCHESTRATION_OPTIONS)
    private readonly options: Pick<OrchestrationOptions, 'maxModelTurns'>,
  ) {}

  async run(command: RunRequested): Promise<SessionOutcome> {
    const to: SessionRef = {
      tenantId: command.tenantId,
      agentId: command.agentId,
      sessionId: command.sessionId,
    };
    const { run, batchId } = command.payload;
    const playbook = this.catalog.get(to.tenantId, to.agentId, null);
    const task = caseIdOf(run.task);
    const pending: SessionTopicMessage[] = [
      sessionStarted(
        to,
        {
          title: task.ok ? task.caseId : `${run.environment} session`,
          playbook: playbook
            ? { playbookId: playbook.playbookId, version: playbook.version }
            : null,
          batchId,
        },
        new Date(),
      ),
    ];
    const append = (events: SessionEventBody[]) =>
      pending.push(...sessionEvents(to, events, new Date()));
    const flush = async () => {
      const messages = pending.splice(0);
      await this.publisher.publish(messages).catch((err: Error) => {
        throw new PublishError(
          `publishing ${messages.length} message(s) of session ${to.sessionId} failed: ${err.message}`,
        );
      });
    };

    let outcome: SessionOutcome;
    try {
      if (!task.ok) throw new SessionFailure(task.reason, 'invalid_task');
      const triageCase = await this.loadCase(task.caseId);
      const settings = modelSettingsFor(command.payload, TRIAGER);
      if (settings.provider === 'builtin') this.runBuiltin(triageCase, playbook, append);
      else await this.runModel(triageCase, playbook, settings, append, flush);
      outcome = { status: 'completed' };
    } catch (err) {
      if (err instanceof PublishError) throw err;
      const failure = asFailure(err);
      if (failure.code === 'internal')
        this.logger.error(`session ${to.sessionId}: ${failure.message}`, (err as Error).stack);
      append([
        {
          clientEventId: 'error',
          type: 'error',
          actor: TRIAGER,
          message: failure.message,
          code: failure.code,
        },
      ]);
      outcome = { status: 'failed', reason: failure.message };
    }
    pending.push(sessionEnded(to, outcome.status, outcome.reason, new Date()));
    await flush();
    return outcome;
  }

  private async loadCase(caseId: string): Promise<TriageCase> {
    try {
      return await this.cases.get(caseId);
    } catch (err) {
      throw new SessionFailure(
        `unknown case "${caseId}": the ${TRIAGE_DATASET} dataset has no readable case of that id (${(err as Error).message})`,
        'unknown_case',
      );
    }
  }

  /** Deterministic: all events are known at once and published with the ended event. */
  private runBuiltin(
    triageCase: TriageCase,
    playbook: ActivePlaybook | null,
    append: (events: SessionEventBody[]) => void,
  ): void {
    const adapted = toLineRules(playbook ? renderRules(playbook) : []);
    if (adapted.skipped.length) {
      this.logger.warn(
        `playbook ${playbook?.playbookId} v${playbook?.version}: skipped ${adapted.skipped.map((s) => `${s.entryId} (${s.reason})`).join('; ')}`,
      );
      append([
        {
          clientEventId: 'step-0-playbook',
          type: 'observation',
          actor: TRIAGER,
          step: 0,
          data: { skippedRules: adapted.skipped.map((s) => ({ ...s })) },
        },
      ]);
    }
    append(runBuiltinTriage(triageCase, adapted.rules).events);
  }

  /** A model answers: events are published as they happen, so progress shows while it works. */
  private async runModel(
    triageCase: TriageCase,
    playbook: ActivePlaybook | null,
    settings: RunModelSettings,
    append: (events: SessionEventBody[]) => void,
    flush: () => Promise<void>,
  ): Promise<void> {
    await flush();
    await runModelTriage(triageCase, {
      provider: this.providers(settings),
      model: settings.model,
      maxTokens: settings.maxTokens,
      maxTurns: this.options.maxModelTurns,
      playbookMarkdown: playbook
        ? renderMarkdown({ ...playbook, role: playbook.role ?? undefined })
        : null,
      record: async (events) => {
        append(events);
        await flush();
      },
    });
  }
}

function asFailure(err: unknown): SessionFailure {
  if (err instanceof SessionFailure) return err;
  if (err instanceof ModelProviderError)
    return new SessionFailure(
      `model call failed (${err.provider}, ${err.kind}): ${err.message}`,
      `model_${err.kind}`,
    );
  if (err instanceof Error && err.name === 'TriageError')
    return new SessionFailure(err.message, 'triage_error');
  if (err instanceof NoAnswerError) return new SessionFailure(err.message, 'no_answer');
  return new SessionFailure(
    `internal error: ${err instanceof Error ? err.message : String(err)}`,
    'internal',
  );
}
