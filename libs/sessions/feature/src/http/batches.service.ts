import { Injectable, Logger } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { notFound, parseOrThrow, tooLarge } from '@reverie/http';
import { chunkBySize, EventPublisher } from '@reverie/kafka';
import {
  AgentRepository,
  BatchRepository,
  SessionRepository,
  type BatchRecord,
  type NewManagedSession,
  type SessionRecord,
} from '@reverie/sessions-data-access';
import {
  batchProgress,
  batchSessionsQuerySchema,
  batchTasksSchema,
  cancelBatchSchema,
  createBatchSchema,
  IDEMPOTENT_ROUTES,
  listBatchesQuerySchema,
  MAX_BATCH_TASKS,
  newId,
  newIds,
  runModelsOf,
  taskTitle,
  type BatchProgress,
  type RunModels,
} from '@reverie/sessions-domain';
import { batchNotAcknowledged, IdempotentRequests } from './idempotent-requests';
import { ManagedRunsService } from './managed-runs.service';
import { endedMessage } from './session-ends';
import type { Page } from './sessions.service';

/**
 * What a batch request under an `Idempotency-Key` plans before it acts, stored with the key: the
 * ids, the time and the agent's model settings its commands carry. A retry rebuilds the sessions
 * from the same body (the key's fingerprint says it is the same) with these, so it sends the same
 * commands.
 */
type BatchPlan = {
  batchId: string;
  sessionIds: string[];
  at: string;
  models: RunModels;
};

export interface BatchView {
  batch: BatchRecord;
  progress: BatchProgress;
}

export interface BatchDetail extends BatchView {
  sessions: Page<SessionRecord>;
}

/** Session status writes a batch cancel has in flight at once. */
const CANCEL_WRITES_AT_ONCE = 25;

/**
 * Batches: many managed sessions of one agent, one per task, started together. A batch's progress
 * is counted from its sessions' statuses each time it is read.
 */
@Injectable()
export class BatchesService {
  private readonly logger = new Logger(BatchesService.name);

  constructor(
    private readonly agents: AgentRepository,
    private readonly batches: BatchRepository,
    private readonly sessions: SessionRepository,
    private readonly runs: ManagedRunsService,
    private readonly idempotency: IdempotentRequests,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * With an `Idempotency-Key` (`key`, checked), a retry of the same request answers the same
   * batch: it stores what the first attempt did not (or undid), reopens the sessions whose run
   * commands were not acknowledged, and sends the commands of the running ones again (the same
   * ids, which the orchestrator runs once). Without a key, a retry is a new batch.
   */
  async create(tenantId: string, body: unknown, key?: string): Promise<BatchDetail> {
    const input = parseOrThrow(createBatchSchema, body, 'batch');
    if (input.tasks.length > MAX_BATCH_TASKS) {
      throw tooLarge(
        `batch has ${input.tasks.length} tasks; a batch holds at most ${MAX_BATCH_TASKS}, so split it into several`,
      );
    }
    const tasks = parseOrThrow(
      batchTasksSchema(input.run.environment),
      input.tasks,
      'batch',
      'tasks',
    );
    const agent = await this.agents.findById(tenantId, input.agentId);
    if (!agent)
      throw notFound(`agent "${input.agentId}" not found; create one with POST /v1/agents`);

    const request = { tenantId, route: IDEMPOTENT_ROUTES.createBatch, key, request: { body } };
    const { plan, replayed } = await this.idempotency.resolve<BatchPlan>(request, async () => {
      const now = new Date();
      const batchId = newId('bat', now.getTime());
      // Ids sorted in task order, so the batch lists its sessions in the order the tasks came.
      const sessionIds = newIds('ses', tasks.length, now.getTime());
      const models = runModelsOf(agent);
      return { resourceId: batchId, plan: { batchId, sessionIds, at: now.toISOString(), models } };
    });
    const at = new Date(plan.at);
    const batch: BatchRecord = {
      _id: plan.batchId,
      tenantId,
      agentId: agent._id,
      title: input.title,
      run: input.run,
      total: tasks.length,
      createdAt: at,
    };
    const sessions: NewManagedSession[] = tasks.map((task, i) => {
      const run = { ...input.run, task };
      return {
        _id: plan.sessionIds[i],
        agentId: agent._id,
        title: taskTitle(run),
        run,
        batchId: batch._id,
      };
    });
    const keyed = key !== undefined;
    await (replayed ? this.storeMissing(batch, sessions) : this.store(batch, sessions, keyed));
    const commands = this.runs.commandsFor(
      tenantId,
      agent._id,
      plan.models,
      replayed ? await this.stillToRun(tenantId, sessions) : sessions,
      at,
    );
    try {
      await this.runs.send(tenantId, commands);
    } catch (err) {
      throw batchNotAcknowledged(err, batch._id, keyed);
    }
    return this.get(tenantId, batch._id, {});
  }

  /**
   * Stores a new batch and its sessions, or nothing: no half batch is left without commands. A
   * keyed one stores as a retry does, so a retry racing it (the client gave up waiting) makes it
   * meet what the retry stored, not fail and undo it.
   */
  private async store(
    batch: BatchRecord,
    sessions: NewManagedSession[],
    keyed: boolean,
  ): Promise<void> {
    try {
      if (keyed) return await this.storeMissing(batch, sessions);
      await this.batches.create(batch);
      await this.runs.store(batch.tenantId, sessions, batch.createdAt);
    } catch (err) {
      // No transactions: undo what was stored.
      await this.undo(batch.tenantId, batch._id);
      throw err;
    }
  }

  /** A keyed retry: stores what its first attempt did not store, or undid. */
  private async storeMissing(batch: BatchRecord, sessions: NewManagedSession[]): Promise<void> {
    await this.batches.createOnce(batch);
    await this.sessions.insertMissing(batch.tenantId, sessions, batch.createdAt);
  }

  /**
   * A keyed retry: reopens the sessions whose run commands were not acknowledged, and returns
   * those running now (reopened, or whose command may not have reached an orchestrator yet).
   */
  private async stillToRun(
    tenantId: string,
    sessions: NewManagedSession[],
  ): Promise<NewManagedSession[]> {
    const ids = sessions.map((s) => s._id);
    await this.sessions.reopenAllUnsent(tenantId, ids);
    const statuses = await this.sessions.statusesOf(tenantId, ids);
    return sessions.filter((s) => statuses.get(s._id) === 'running');
  }

  /**
   * Cancels what is left of a batch: each of its sessions still running ends `canceled` with the
   * reason, as `POST /v1/sessions/:id/end` would end it (published, then stored). Orchestrators
   * then skip the commands they have not started and stop the runs under way. Sessions that have
   * ended keep their status, so a repeat cancels nothing more. Answers with the batch and how many
   * sessions this request canceled (a session that ended on its own at the same moment keeps the
   * end stored first).
   */
  async cancel(
    tenantId: string,
    id: string,
    body: unknown,
  ): Promise<BatchDetail & { canceled: number }> {
    const input = parseOrThrow(cancelBatchSchema, body ?? {}, 'cancel request');
    const batch = await this.batches.findById(tenantId, id);
    if (!batch) throw notFound(`batch "${id}" not found; start one with POST /v1/batches`);
    const running = await this.sessions.runningOfBatch(tenantId, id);
    const reason = input.reason ?? `batch ${id} was canceled`;
    const at = new Date();
    await this.endCanceled(tenantId, running, reason, at);
    // Whichever wrote each end (this request, or the ingest applying its message first), the
    // sessions ended at `at` are this cancel's.
    const canceled = running.length
      ? await this.sessions.countEndedAt(tenantId, id, 'canceled', at)
      : 0;
    this.logger.log(`batch ${id}: ${canceled} running session(s) canceled`);
    return { ...(await this.get(tenantId, id, {})), canceled };
  }

  /**
   * Ends these sessions `canceled` as a client's end does: published, then the statuses written,
   * in produce requests the broker accepts (1,000 ends with long reasons would not fit one).
   */
  private async endCanceled(
    tenantId: string,
    sessions: Pick<SessionRecord, '_id' | 'agentId' | 'iteration'>[],
    reason: string,
    at: Date,
  ): Promise<void> {
    const ends = sessions.map((session) => ({
      session,
      message: endedMessage(tenantId, session, 'canceled', reason, at),
    }));
    for (const chunk of chunkBySize(ends, (e) => JSON.stringify(e.message).length)) {
      await this.publisher.publish(
        TOPICS.sessionEvents,
        chunk.map((e) => e.message),
      );
      for (let i = 0; i < chunk.length; i += CANCEL_WRITES_AT_ONCE)
        await Promise.all(
          chunk
            .slice(i, i + CANCEL_WRITES_AT_ONCE)
            .map(({ session: s }) =>
              this.sessions.end(tenantId, s._id, 'canceled', reason, at, s.iteration ?? 1),
            ),
        );
    }
  }

  async get(tenantId: string, id: string, query: unknown): Promise<BatchDetail> {
    const q = parseOrThrow(batchSessionsQuerySchema, query, 'query', 'query');
    const batch = await this.batches.findById(tenantId, id);
    if (!batch) throw notFound(`batch "${id}" not found; start one with POST /v1/batches`);
    const [counts, rows] = await Promise.all([
      this.sessions.countByBatchAndStatus(tenantId, [id]),
      this.sessions.batchPage(tenantId, id, q.after_id, q.limit),
    ]);
    return {
      batch,
      progress: batchProgress(batch.total, counts.get(id) ?? {}),
      sessions: { data: rows.slice(0, q.limit), hasMore: rows.length > q.limit },
    };
  }

  async list(tenantId: string, query: unknown): Promise<Page<BatchView>> {
    const q = parseOrThrow(listBatchesQuerySchema, query, 'query', 'query');
    const rows = await this.batches.list(tenantId, q);
    const page = rows.slice(0, q.limit);
    const counts = await this.sessions.countByBatchAndStatus(
      tenantId,
      page.map((b) => b._id),
    );
    return {
      data: page.map((batch) => ({
        batch,
        progress: batchProgress(batch.total, counts.get(batch._id) ?? {}),
      })),
      hasMore: rows.length > q.limit,
    };
  }

  private async undo(tenantId: string, batchId: string): Promise<void> {
    try {
      await this.sessions.deleteBatchSessions(tenantId, batchId);
      await this.batches.delete(tenantId, batchId);
    } catch (err) {
      this.logger.error(`could not undo batch "${batchId}": ${(err as Error).message}`);
    }
  }
}
