import { Module } from '@nestjs/common';
import { TOPICS, topicWithConfig } from '@reverie/contracts';
import { KafkaModule } from '@reverie/kafka';
import { loadServiceConfig } from '@reverie/service-kit';
import { serviceEnv, startDataAccess, type DataAccessContext } from '@reverie/testing/integration';
import { PlaybooksDataAccessModule } from '../src/playbooks-data-access.module';

/**
 * `PlaybooksDataAccessModule` on the test MongoDB in database `db`, with the Kafka a service's
 * platform module would provide: the version writer announces on the playbook topic.
 */
export function startPlaybooksDataAccess(db: string): Promise<DataAccessContext> {
  const { kafka } = loadServiceConfig('playbooks-test', 0, serviceEnv('playbooks'));
  @Module({
    imports: [
      KafkaModule.forRoot({
        settings: kafka,
        topics: [topicWithConfig(TOPICS.playbookVersions)],
      }),
      PlaybooksDataAccessModule,
    ],
  })
  class PlaybooksTestModule {}
  return startDataAccess(PlaybooksTestModule, db);
}
