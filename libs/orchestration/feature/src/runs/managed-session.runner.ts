import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  RunModelSettings,
  RunRequested,
  RunSpec,
  SessionEventBody,
  SessionTopicMessage,
} from '@reverie/contracts';
import { ModelProviderError, withSignal, type ModelProvider } from '@reverie/models';
import { ReverieMetrics } from '@reverie/telemetry';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from '../orchestration.options';
import { PlaybookCatalog } from '../playbooks/playbook-catalog';
import {
  ofIteration,
  revisionStarted,
  sessionEnded,
  sessionEvents,
  sessionStarted,
  type PlaybookRef,
  type SessionRef,
} from '../sessions/session-messages';
import { NoAnswerError } from '../triage/model-triage';
import {
  ENVIRONMENT_RUNNERS,
  SessionFailure,
  type EnvironmentRunner,
  type Revision,
  type RunPlan,
} from './environment-runner';
import { modelSettingsFor } from './model-settings';
import { SessionWatch, type RunWatch } from './session-watch';

/** Where a managed session's messages go (the session events topic). */
export interface SessionPublisher {
  publish(messages: SessionTopicMessage[]): Promise<void>;
}
export const SESSION_PUBLISHER = Symbol('SESSION_PUBLISHER');
/** Builds the model provider a run's settings ask for. */
export type ModelProviderFactory = (settings: RunModelSettings) => ModelProvider;
export const MODEL_PROVIDERS = Symbol('MODEL_PROVIDERS');

export interface SessionOutcome {
  /** `canceled`: the session ended while it ran (its client ended it), and the run stopped. */
  status: 'completed' | 'failed' | 'canceled';
  reason?: string;
}

/** Publishing failed: the run must be retried, not recorded as a failed session. */
class PublishError extends Error {}

/**
 * Runs one managed session from its run command: publishes its started event (with the playbook
 * versions it runs with), its events and its ended event to the session topic, where the
 * gateway's ingest stores them like any client's. The environment's runner does the task. What
 * goes wrong in the session (an unknown case, a scenario that makes no sense, a model failure)
 * ends it `failed` with the reason; only a failure to publish throws, so that the command is
 * retried. A session that ends while it runs (`SessionWatch`) stops its run: the model call in
 * flight is aborted, and nothing more of the run is published.
 */
@Injectable()
export class ManagedSessionRunner {
  private readonly logger = new Logger(ManagedSessionRunner.name);
  private readonly runners: ReadonlyMap<string, EnvironmentRunner>;

  constructor(
    private readonly catalog: PlaybookCatalog,
    @Inject(ENVIRONMENT_RUNNERS) runners: EnvironmentRunner[],
    @Inject(SESSION_PUBLISHER) private readonly publisher: SessionPublisher,
    @Inject(MODEL_PROVIDERS) private readonly providers: ModelProviderFactory,
    @Inject(ORCHESTRATION_OPTIONS)
    private readonly options: Pick<OrchestrationOptions, 'maxModelTurns'>,
    private readonly metrics: ReverieMetrics,
    private readonly watches: SessionWatch,
  ) {
    this.runners = new Map(runners.map((r) => [r.environment, r]));
  }

  /**
   * Runs the session, or (with `revision`) runs it again as its next attempt: then the grader's
   * explanation is recorded as the agent's next input, and every event of the attempt carries its
   * iteration.
   */
  async run(command: RunRequested, revision: Revision | null = null): Promise<SessionOutcome> {
    const to: SessionRef = {
      tenantId: command.tenantId,
      agentId: command.agentId,
      sessionId: command.sessionId,
    };
    const { run } = command.payload;
    const runner = this.runners.get(run.environment);
    const plan = planOf(runner, run);
    const iteration = revision?.iteration ?? 1;
    const pending = this.opening(to, command.payload, plan, revision);
    const append = (events: SessionEventBody[]) =>
      pending.push(...sessionEvents(to, ofIteration(events, iteration), new Date()));
    if (revision)
      append([
        {
          clientEventId: 'revision-input',
          type: 'message',
          role: 'user',
          actor: 'grader',
          step: 0,
          content: revision.feedback.slice(0, 100_000),
        },
      ]);
    const watch = this.watches.watch(to, iteration);
    const flush = async () => {
      // Nothing of the run goes out once its session has ended.
      if (watch.signal.aborted) throw watch.signal.reason;
      const messages = pending.splice(0);
      await this.publisher.publish(messages).catch((err: Error) => {
        throw new PublishError(
          `publishing ${messages.length} message(s) of session ${to.sessionId} failed: ${err.message}`,
        );
      });
    };

    try {
      let outcome: SessionOutcome;
      try {
        if (plan instanceof SessionFailure || !runner) throw plan;
        await runner.execute({
          sessionId: to.sessionId,
          run,
          revision,
          playbook: (role) => this.catalog.get(to.tenantId, to.agentId, role),
          settings: (role) => modelSettingsFor(command.payload, role),
          provider: (settings) => withSignal(this.providers(settings), watch.signal),
          maxModelTurns: this.options.maxModelTurns,
          append,
          flush,
        });
        outcome = { status: 'completed' };
      } catch (err) {
        if (err instanceof PublishError) throw err;
        if (watch.signal.aborted) return this.stopped(to, run.environment, watch, pending);
        const failure = asFailure(err);
        if (failure.code === 'internal')
          this.logger.error(`session ${to.sessionId}: ${failure.message}`, (err as Error).stack);
        append([
          { clientEventId: 'error', type: 'error', message: failure.message, code: failure.code },
        ]);
        outcome = { status: 'failed', reason: failure.message };
      }
      // Ended after the run's last step: the client's end stands, this one is not sent.
      if (watch.signal.aborted) return this.stopped(to, run.environment, watch, pending);
      pending.push(sessionEnded(to, outcome.status, outcome.reason, new Date(), iteration));
      await flush();
      this.countRun(run.environment, outcome.status);
      return outcome;
    } finally {
      watch.stop();
    }
  }

  /** What a run publishes first: its session's start (with its playbooks), or its revision's. */
  private opening(
    to: SessionRef,
    { run, batchId }: RunRequested['payload'],
    plan: RunPlan | SessionFailure,
    revision: Revision | null,
  ): SessionTopicMessage[] {
    if (revision) return [revisionStarted(to, revision.iteration, revision.outcomeId, new Date())];
    const ref = (role: string | null): PlaybookRef | null => {
      const active = this.catalog.get(to.tenantId, to.agentId, role);
      return active ? { playbookId: active.playbookId, version: active.version } : null;
    };
    const planned = plan instanceof SessionFailure ? null : plan;
    return [
      sessionStarted(
        to,
        {
          title: planned?.title ?? `${run.environment} session`,
          playbook: ref(null),
          rolePlaybooks: planned?.roles
            ? Object.fromEntries(planned.roles.map((r) => [r, ref(r)]))
            : undefined,
          batchId,
        },
        new Date(),
      ),
    ];
  }

  /** The run of a session that ended while it ran: stopped, what it had not published dropped. */
  private stopped(
    to: SessionRef,
    environment: string,
    watch: RunWatch,
    unpublished: SessionTopicMessage[],
  ): SessionOutcome {
    const reason = `${(watch.signal.reason as Error).message}; run stopped, ${unpublished.length} unpublished message(s) dropped`;
    this.logger.log(`session ${to.sessionId}: ${reason}`);
    this.countRun(environment, 'canceled');
    return { status: 'canceled', reason };
  }

  private countRun(environment: string, status: SessionOutcome['status']): void {
    // Registered environments only, so the label stays bounded.
    this.metrics.sessionRun(this.runners.has(environment) ? environment : 'unknown', status);
  }
}

/** The runner's plan for the run, or the failure that ends it at once. */
function planOf(runner: EnvironmentRunner | undefined, run: RunSpec): RunPlan | SessionFailure {
  try {
    if (!runner)
      throw new SessionFailure(
        `this orchestrator cannot run ${run.environment} sessions`,
        'unknown_environment',
      );
    return runner.plan(run);
  } catch (err) {
    return asFailure(err);
  }
}

/** The session failure an error means: its message and a code a client can act on. */
function asFailure(err: unknown): SessionFailure {
  if (err instanceof SessionFailure) return err;
  if (err instanceof ModelProviderError)
    return new SessionFailure(
      `model call failed (${err.provider}, ${err.kind}): ${err.message}`,
      `model_${err.kind}`,
    );
  if (err instanceof Error && err.name === 'TriageError')
    return new SessionFailure(err.message, 'triage_error');
  // A scenario, family or command the simulator refuses, with its own code (invalid_scenario...).
  if (err instanceof Error && err.name === 'LanderError' && 'code' in err)
    return new SessionFailure(err.message, String(err.code));
  if (err instanceof NoAnswerError) return new SessionFailure(err.message, 'no_answer');
  return new SessionFailure(
    `internal error: ${err instanceof Error ? err.message : String(err)}`,
    'internal',
  );
}
