import { Injectable, Logger } from '@nestjs/common';
import { notFound, parseOrThrow, tooLarge } from '@reverie/http';
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
  createBatchSchema,
  listBatchesQuerySchema,
  MAX_BATCH_TASKS,
  newId,
  newIds,
  taskTitle,
  type BatchProgress,
} from '@reverie/sessions-domain';
import { ManagedRunsService } from './managed-runs.service';
import type { Page } from './sessions.service';

export interface BatchView {
  batch: BatchRecord;
  progress: BatchProgress;
}

export interface BatchDetail extends BatchView {
  sessions: Page<SessionRecord>;
}

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
  ) {}

  async create(tenantId: string, body: unknown): Promise<BatchDetail> {
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

    const now = new Date();
    const batch = await this.batches.create({
      _id: newId('bat', now.getTime()),
      tenantId,
      agentId: agent._id,
      title: input.title,
      run: input.run,
      total: tasks.length,
      createdAt: now,
    });
    // Ids sorted in task order, so the batch lists its sessions in the order the tasks came.
    const ids = newIds('ses', tasks.length, now.getTime());
    const sessions: NewManagedSession[] = tasks.map((task, i) => {
      const run = { ...input.run, task };
      return { _id: ids[i], agentId: agent._id, title: taskTitle(run), run, batchId: batch._id };
    });
    try {
      await this.runs.store(tenantId, sessions, now);
    } catch (err) {
      // No transactions: undo what was stored, so no half batch is left without run commands.
      await this.undo(tenantId, batch._id);
      throw err;
    }
    await this.runs.dispatch(tenantId, agent, sessions, now);
    return this.get(tenantId, batch._id, {});
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
