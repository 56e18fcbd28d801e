import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { startService } from '@reverie/service-kit';
import { serviceEnv, startGroupAtEnd } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig, type OutcomeGraderConfig } from '../src/config/outcome-grader.config';

export interface RunningGrader {
  app: INestApplication;
  config: OutcomeGraderConfig;
  close(): Promise<void>;
}

/**
 * Starts the real grader on port 0 against the gateway's database (it reads the sessions the
 * gateway stores); its group starts at the end of the topics, so it grades only this test's
 * sessions.
 */
export async function startGrader(
  gatewayDb: string,
  extra: Record<string, string> = {},
): Promise<RunningGrader> {
  const config = loadConfig(serviceEnv('grader', { MONGO_DB: gatewayDb, ...extra }));
  await startGroupAtEnd(config.kafka.groupId, TOPICS.sessionEvents);
  await startGroupAtEnd(config.kafka.groupId, TOPICS.outcomeCommands);
  const app = await startService(service, config);
  return { app, config, close: () => app.close() };
}
