import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { DreamRepository } from '@reverie/dreaming-data-access';
import { DreamRunner } from '@reverie/dreaming-feature';
import { startService } from '@reverie/service-kit';
import { serviceEnv, startGroupAtEnd } from '@reverie/testing/integration';
import { service } from '../src/app.module';
import { loadConfig, type DreamerConfig } from '../src/config/dreamer.config';

export interface RunningDreamer {
  app: INestApplication;
  config: DreamerConfig;
  runner: DreamRunner;
  dreams: DreamRepository;
  close(): Promise<void>;
}

/**
 * Starts the real dreamer on port 0 against the gateway's database (it reads the sessions the
 * gateway stores and shares `dreams` with it); its group starts at the end of the command topic.
 */
export async function startDreamer(
  gatewayDb: string,
  extra: Record<string, string> = {},
): Promise<RunningDreamer> {
  const config = loadConfig(serviceEnv('dreamer', { MONGO_DB: gatewayDb, ...extra }));
  await startGroupAtEnd(config.kafka.groupId, TOPICS.dreamCommands);
  const app = await startService(service, config);
  const runner = app.get(DreamRunner);
  return {
    app,
    config,
    runner,
    dreams: app.get(DreamRepository),
    close: async () => {
      await runner.idle();
      await app.close();
    },
  };
}
