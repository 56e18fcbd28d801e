import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { DreamCheckpointRepository } from './repositories/dream-checkpoint.repository';
import { DreamMemoryRepository } from './repositories/dream-memory.repository';
import { DreamQueueRepository } from './repositories/dream-queue.repository';
import { DreamSlotRepository } from './repositories/dream-slot.repository';
import { DreamRepository } from './repositories/dream.repository';
import { DreamingControlRepository } from './repositories/dreaming-control.repository';
import { DreamingControl, DreamingControlSchema } from './schemas/dreaming-control.schema';
import { DreamCheckpointDoc, DreamCheckpointSchema } from './schemas/dream-checkpoint.schema';
import { DreamMemoryDoc, DreamMemorySchema } from './schemas/dream-memory.schema';
import { DreamSlot, DreamSlotSchema } from './schemas/dream-slot.schema';
import { DreamTurn, DreamTurnSchema } from './schemas/dream-turn.schema';
import { Dream, DreamLock, DreamLockSchema, DreamSchema } from './schemas/dream.schema';

const OWNED = [
  { name: Dream.name, schema: DreamSchema },
  { name: DreamLock.name, schema: DreamLockSchema },
  { name: DreamingControl.name, schema: DreamingControlSchema },
  { name: DreamSlot.name, schema: DreamSlotSchema },
  { name: DreamTurn.name, schema: DreamTurnSchema },
  { name: DreamMemoryDoc.name, schema: DreamMemorySchema },
  { name: DreamCheckpointDoc.name, schema: DreamCheckpointSchema },
];
const PROVIDERS = [
  DreamRepository,
  DreamingControlRepository,
  DreamSlotRepository,
  DreamQueueRepository,
  DreamMemoryRepository,
  DreamCheckpointRepository,
];

/**
 * `dreams` and `dream_locks`: the gateway creates and cancels pending dreams, the dreamer runs
 * them (see DreamRepository). `dream_slots`: the dreamers' global limit on running dreams.
 * `dream_turns`: when each tenant's dream last got a slot (the fair order, DreamQueueRepository).
 * `dreaming_controls`: the kill switch. `dream_memories`: what an agent's dreams refused before. `dream_checkpoints`: what a running
 * dream's localise and reflect stages produced, for another run of it. Needs `MongooseModule.forRoot`.
 */
@Module({
  imports: [MongooseModule.forFeature(OWNED)],
  providers: PROVIDERS,
  exports: PROVIDERS,
})
export class DreamingDataAccessModule implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    await Promise.all(
      OWNED.map((m) =>
        this.moduleRef.get<Model<unknown>>(getModelToken(m.name), { strict: false }).init(),
      ),
    );
  }
}
