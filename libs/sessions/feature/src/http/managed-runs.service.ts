import { Injectable, Logger } from '@nestjs/common';
import { TOPICS, type RunRequested } from '@reverie/contracts';
import { EventPublisher } from '@reverie/kafka';
import {
  isDuplicateKey,
  SessionRepository,
  type NewManagedSession,
} from '@reverie/sessions-data-access';
import { runRequested, type RunModels } from '@reverie/sessions-domain';

/** Run commands sent per produce request (a 1,000-task batch goes out in a few requests). */
const COMMANDS_PER_SEND = 200;

/**
 * Starts managed sessions: stores each one (`running`, with its run and batch), then sends its
 * `run.requested` command keyed by session id, which an orchestrator replica picks up.
 *
 * Store first, then publish: the session exists before any orchestrator can hear of it, so its
 * `session.started` (published by the orchestrator, with the playbook version) and its events
 * always find the session with its run and batch already stored, and a client that gets the 201
 * can read it at once. The gateway publishes no `session.started` for a managed session: the
 * orchestrator does, when it really starts. If sending fails, the sessions whose commands were not
 * acknowledged are ended `canceled` (`RUN_NOT_ACKNOWLEDGED`), so none is left `running` with
 * nothing to run it; a command that lands after all is skipped by the orchestrator, which runs
 * only running sessions. A keyed retry of a create reopens its session and sends the command again
 * (`reopenUnsent`).
 */
@Injectable()
export class ManagedRunsService {
  private readonly logger = new Logger(ManagedRunsService.name);

  constructor(
    private readonly sessions: SessionRepository,
    private readonly publisher: EventPublisher,
  ) {}

  store(tenantId: string, sessions: NewManagedSession[], at: Date): Promise<void> {
    return this.sessions.insertManaged(tenantId, sessions, at);
  }

  /**
   * Stores one managed session unless this tenant has it already: a retry under an
   * `Idempotency-Key` stores the session its first attempt planned, which may be stored.
   */
  async storeOnce(tenantId: string, session: NewManagedSession, at: Date): Promise<void> {
    try {
      await this.sessions.insertManaged(tenantId, [session], at);
    } catch (err) {
      if (!isDuplicateKey(err) || !(await this.sessions.findById(tenantId, session._id))) throw err;
    }
  }

  /**
   * The run command of each session (the same for the same session, models and time), with the
   * agent's model settings as `runModelsOf(agent)` gives them.
   */
  commandsFor(
    tenantId: string,
    agentId: string,
    models: RunModels,
    sessions: NewManagedSession[],
    at: Date,
  ): RunRequested[] {
    return sessions.map((s) =>
      runRequested({ tenantId, agentId, sessionId: s._id }, s.run, models, at, s.batchId),
    );
  }

  /**
   * Sends run commands, `commands[i]` for the stored session `commands[i].sessionId`. When a send
   * fails, the sessions whose commands were not acknowledged are ended `canceled` with
   * `RUN_NOT_ACKNOWLEDGED`, whatever the error: even a send that timed out and may still land
   * runs nothing then (the orchestrator skips a session that is not running).
   */
  async send(tenantId: string, commands: RunRequested[]): Promise<void> {
    for (let from = 0; from < commands.length; from += COMMANDS_PER_SEND) {
      try {
        await this.publisher.publish(
          TOPICS.runCommands,
          commands.slice(from, from + COMMANDS_PER_SEND),
        );
      } catch (err) {
        // Earlier chunks were acknowledged; this one and the rest were not (or not wholly).
        const unsent = commands.slice(from).map((c) => c.sessionId);
        this.logger.warn(
          `canceling ${unsent.length} managed session(s) whose run command was not acknowledged: ${(err as Error).message}`,
        );
        await this.sessions
          .cancelUnsent(tenantId, unsent, new Date())
          .catch((undo: Error) =>
            this.logger.error(
              `could not cancel ${unsent.length} unsent managed sessions: ${undo.message}`,
            ),
          );
        throw err;
      }
    }
  }

  /**
   * For a keyed retry of a managed create: reopens its session when it was canceled because its
   * run command was not acknowledged (only one of retries racing each other does). Then returns
   * the session as it is now, for the caller to send its command if it is running.
   */
  async reopenUnsent(tenantId: string, sessionId: string) {
    await this.sessions.reopenUnsent(tenantId, sessionId);
    return this.sessions.findById(tenantId, sessionId);
  }
}
