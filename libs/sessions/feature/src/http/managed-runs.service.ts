import { Injectable, Logger } from '@nestjs/common';
import { TOPICS, type RunRequested } from '@reverie/contracts';
import { EventPublisher, KafkaUnavailableError } from '@reverie/kafka';
import {
  isDuplicateKey,
  SessionRepository,
  type AgentRecord,
  type NewManagedSession,
} from '@reverie/sessions-data-access';
import { runModelOf, runRequested } from '@reverie/sessions-domain';

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
 * sent are ended as `canceled` with the reason, so none is left `running` with nothing to run it.
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

  /** The run command of each session (the same for the same session, agent model and time). */
  commandsFor(
    tenantId: string,
    agent: Pick<AgentRecord, '_id' | 'model'>,
    sessions: NewManagedSession[],
    at: Date,
  ): RunRequested[] {
    const agentModel = runModelOf(agent.model);
    return sessions.map((s) =>
      runRequested(
        { tenantId, agentId: agent._id, sessionId: s._id },
        s.run,
        agentModel,
        at,
        s.batchId,
      ),
    );
  }

  /** Sends the run command of each stored session. */
  async dispatch(
    tenantId: string,
    agent: Pick<AgentRecord, '_id' | 'model'>,
    sessions: NewManagedSession[],
    at: Date,
  ): Promise<void> {
    await this.send(tenantId, this.commandsFor(tenantId, agent, sessions, at));
  }

  /**
   * Sends run commands, `commands[i]` for the stored session `commands[i].sessionId`. When a send
   * fails, the sessions whose commands were not acknowledged are ended `canceled`, except with
   * `keepOnUnavailable` when Kafka did not answer in time: that send may still land, and the
   * caller's client retries it under its `Idempotency-Key` (the same command, which the
   * orchestrator runs once), so the session stays `running` for it.
   */
  async send(
    tenantId: string,
    commands: RunRequested[],
    options: { keepOnUnavailable?: boolean } = {},
  ): Promise<void> {
    for (let from = 0; from < commands.length; from += COMMANDS_PER_SEND) {
      try {
        await this.publisher.publish(
          TOPICS.runCommands,
          commands.slice(from, from + COMMANDS_PER_SEND),
        );
      } catch (err) {
        if (options.keepOnUnavailable && err instanceof KafkaUnavailableError) throw err;
        // Earlier chunks were acknowledged; this one and the rest were not (or not wholly).
        const unsent = commands.slice(from).map((c) => c.sessionId);
        await this.sessions
          .cancelUnstarted(
            tenantId,
            unsent,
            `the run command could not be sent (${(err as Error).message}); start it again`,
            new Date(),
          )
          .catch((undo: Error) =>
            this.logger.error(
              `could not cancel ${unsent.length} unsent managed sessions: ${undo.message}`,
            ),
          );
        throw err;
      }
    }
  }
}
