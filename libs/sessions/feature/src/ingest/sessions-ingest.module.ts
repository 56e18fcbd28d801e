import { Module } from '@nestjs/common';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { SessionIngestController } from './session-ingest.controller';
import { SessionIngestService } from './session-ingest.service';

/** Streams session events from Kafka into MongoDB (needs the Kafka batch transport). */
@Module({
  imports: [SessionsDataAccessModule],
  controllers: [SessionIngestController],
  providers: [SessionIngestService],
})
export class SessionsIngestModule {}
