import { Module, type OnModuleInit } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PlaybookVersionRepository } from './repositories/playbook-version.repository';
import { PlaybookVersionDoc, PlaybookVersionSchema } from './schemas/playbook-version.schema';
import { PlaybookVersionWriter } from './writer/playbook-version.writer';
import { PlaybookTrialReader } from './trials/playbook-trial.reader';
import { PlaybookTrialRepository } from './trials/playbook-trial.repository';
import { PlaybookTrialDoc, PlaybookTrialSchema } from './trials/playbook-trial.schema';
import { PlaybookTrialWriter } from './trials/playbook-trial.writer';
import { ModuleRef } from '@nestjs/core';

/**
 * The `playbook_versions` collection, its repository and the version writer; `playbook_trials`
 * (canary trials of versions), its read-only reader and the trial writer. Needs
 * `MongooseModule.forRoot` and, for the writer, `EventPublisher` (both global from the platform
 * module, `PlatformModule.forRoot`).
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: PlaybookVersionDoc.name, schema: PlaybookVersionSchema },
      { name: PlaybookTrialDoc.name, schema: PlaybookTrialSchema },
    ]),
  ],
  providers: [
    PlaybookVersionRepository,
    PlaybookVersionWriter,
    PlaybookTrialRepository,
    PlaybookTrialReader,
    PlaybookTrialWriter,
  ],
  exports: [
    PlaybookVersionRepository,
    PlaybookVersionWriter,
    PlaybookTrialReader,
    PlaybookTrialWriter,
  ],
})
export class PlaybooksDataAccessModule implements OnModuleInit {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onModuleInit(): Promise<void> {
    // Concurrent edits are told apart by the unique index: it must exist before the first insert.
    await this.moduleRef
      .get<Model<PlaybookVersionDoc>>(getModelToken(PlaybookVersionDoc.name), { strict: false })
      .init();
  }
}
