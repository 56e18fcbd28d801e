import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Run, type RunStatus } from './run.schema';

export type RunRecord = Run;

export interface RunRef {
  tenantId: string;
  agentId: string;
  sessionId: string;
  batchId?: string;
}

const UNFINISHED: RunStatus[] = ['queued', 'running'];

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; cause?: unknown };
  return e?.code === 11000 || (e?.cause ? isDuplicateKey(e.cause) : false);
}

@Injectable()
export class RunRepository {
  constructor(@InjectModel(Run.name) private readonly runs: Model<Run>) {}

  /** Records runs a replica received and has not started yet; leaves known runs as they are. */
  async markQueued(refs: RunRef[], at: Date): Promise<void> {
    if (refs.length === 0) return;
    await this.runs
      .bulkWrite(
        refs.map((r) => ({
          updateOne: {
            filter: { _id: r.sessionId, tenantId: r.tenantId },
            update: {
              $setOnInsert: {
                agentId: r.agentId,
                batchId: r.batchId,
                status: 'queued' as const,
                attempts: 0,
                createdAt: at,
                updatedAt: at,
              },
            },
            upsert: true,
            // A known run stays exactly as it is (automatic timestamps would touch updatedAt).
            timestamps: false,
          },
        })),
        { ordered: false },
      )
      .catch((err) => {
        // A session id taken by another tenant: `claim` refuses it below.
        if (!isDuplicateKey(err)) throw err;
      });
  }

  /**
   * Records that a command was skipped because its session is not running (`reason`). The run
   * stays unfinished, so a later command for the session (a keyed retry's, after the gateway
   * reopened it) still claims it.
   */
  async markSkipped(ref: RunRef, reason: string, at: Date): Promise<void> {
    await this.runs
      .updateOne(
        { _id: ref.sessionId, tenantId: ref.tenantId, status: { $in: UNFINISHED } },
        { $set: { skippedAt: at, skipReason: reason } },
      )
      .exec();
  }

  /**
   * Marks a run `running` on `replica` unless it already finished, in one atomic step. Returns the
   * claimed run, or null when it finished (or the id belongs to another tenant): nothing to do.
   */
  async claim(
    ref: RunRef,
    replica: string,
    at: Date,
    spec?: RunRecord['spec'],
  ): Promise<RunRecord | null> {
    try {
      return await this.runs
        .findOneAndUpdate(
          {
            _id: ref.sessionId,
            tenantId: ref.tenantId,
            status: { $in: UNFINISHED },
            // A run already revised is not started over by its original command.
            iteration: { $in: [1, null] },
          },
          {
            $set: { status: 'running', replica, startedAt: at, ...(spec ? { spec } : {}) },
            $inc: { attempts: 1 },
            $setOnInsert: { agentId: ref.agentId, batchId: ref.batchId },
          },
          { upsert: true, returnDocument: 'after' },
        )
        .lean<RunRecord>()
        .exec();
    } catch (err) {
      // The filter missed an existing run, so the upsert hit its id: it is finished.
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  /**
   * Starts attempt `from + 1` of a finished run the grader sent back, in one atomic step; also
   * takes over that attempt when it was left running (its replica died before finishing it).
   * Null when another replica has it, it moved on, or it is not a run of this orchestrator.
   */
  claimRevision(
    tenantId: string,
    sessionId: string,
    from: number,
    replica: string,
    at: Date,
  ): Promise<RunRecord | null> {
    const next = from + 1;
    return this.runs
      .findOneAndUpdate(
        {
          _id: sessionId,
          tenantId,
          $or: [
            {
              status: { $in: ['completed', 'failed'] },
              iteration: from === 1 ? { $in: [1, null] } : from,
            },
            { status: 'running', iteration: next },
          ],
        },
        {
          $set: { status: 'running', iteration: next, replica, startedAt: at },
          $inc: { attempts: 1 },
        },
        { returnDocument: 'after' },
      )
      .lean<RunRecord>()
      .exec();
  }

  async finish(
    tenantId: string,
    sessionId: string,
    status: Exclude<RunStatus, 'queued' | 'running'>,
    reason: string | undefined,
    at: Date,
  ): Promise<void> {
    await this.runs
      .updateOne(
        { _id: sessionId, tenantId },
        { $set: { status, finishedAt: at, ...(reason ? { reason } : {}) } },
      )
      .exec();
  }

  findById(tenantId: string, sessionId: string): Promise<RunRecord | null> {
    return this.runs.findOne({ _id: sessionId, tenantId }).lean<RunRecord>().exec();
  }

  listByBatch(tenantId: string, batchId: string): Promise<RunRecord[]> {
    return this.runs.find({ tenantId, batchId }).sort({ _id: 1 }).lean<RunRecord[]>().exec();
  }
}
