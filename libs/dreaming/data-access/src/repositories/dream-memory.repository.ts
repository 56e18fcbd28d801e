import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { emptyMemory, type DreamMemory, type RefusedCandidate } from '@reverie/dreaming-domain';
import type { Model } from 'mongoose';
import { DreamMemoryDoc } from '../schemas/dream-memory.schema';

const idOf = (tenantId: string, agentId: string, environment: string) =>
  `${tenantId}:${agentId}:${environment}`;

/** Per-agent dream memory (see DreamMemoryDoc), scoped by tenant. */
@Injectable()
export class DreamMemoryRepository {
  constructor(@InjectModel(DreamMemoryDoc.name) private readonly memories: Model<DreamMemoryDoc>) {}

  /** The agent's memory in this environment (empty when no dream has saved one). */
  async load(tenantId: string, agentId: string, environment: string): Promise<DreamMemory> {
    const doc = await this.memories
      .findById(idOf(tenantId, agentId, environment))
      .lean<DreamMemoryDoc>()
      .exec();
    if (!doc || doc.tenantId !== tenantId) return emptyMemory(agentId, environment);
    return {
      agentId,
      environment,
      refused: doc.refused as unknown as RefusedCandidate[],
      tried: doc.tried,
      dreams: doc.dreams,
      lastExhausted: doc.lastExhausted,
    };
  }

  /** Replaces the agent's memory in its environment. */
  async save(tenantId: string, memory: DreamMemory, at = new Date()): Promise<void> {
    const _id = idOf(tenantId, memory.agentId, memory.environment);
    await this.memories
      .replaceOne(
        { _id },
        {
          _id,
          tenantId,
          agentId: memory.agentId,
          environment: memory.environment,
          refused: memory.refused,
          tried: memory.tried,
          dreams: memory.dreams,
          lastExhausted: memory.lastExhausted,
          updatedAt: at,
        },
        { upsert: true },
      )
      .exec();
  }
}
