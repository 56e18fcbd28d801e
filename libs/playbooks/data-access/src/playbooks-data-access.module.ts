import { Module, type OnModuleInit } from '@nestjs/common';
import { getModelToken, MongooseModule } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { PlaybookVersionRepository } from './repositories/playbook-version.repository';
import { PlaybookVersionDoc, PlaybookVersionSchema } from './schemas/playbook-version.schema';
import { PlaybookVersionWriter } from './writer/playbook-version.writer';
import { ModuleRef } from '@nestjs/core';

/**
 * The `playbook_versions` collection, its repository and the version writer. Needs
 * `MongooseModule.forRoot` and, for the writer, `EventPublisher` (both global from the platform
 * module, `PlatformModule.forRoot`).
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: PlaybookVersionDoc.name, schema: PlaybookVersionSchema }]),
  ],
  providers: [PlaybookVersionRepository, PlaybookVersionWriter],
  exports: [PlaybookVersionRepository, PlaybookVersionWriter],
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
