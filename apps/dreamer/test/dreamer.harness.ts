import type { INestApplication } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import {
  DreamCheckpointRepository,
  DreamRepository,
  type NewDream,
} from '@reverie/dreaming-data-access';
import { DreamRunner, type Clock } from '@reverie/dreaming-feature';
import { startService } from '@reverie/service-kit';
import { serviceEnv, startGroupAtEnd } from '@reverie/testing/integration';
import { AppModule, service } from '../src/app.module';
import { loadConfig, type DreamerConfig } from '../src/config/dreamer.config';

export interface RunningDreamer {
  app: INestApplication;
  config: DreamerConfig;
  runner: DreamRunner;
  dreams: DreamRepository;
  checkpoints: DreamCheckpointRepository;
  close(): Promise<void>;
}

/**
 * Starts the real dreamer on port 0 against the gateway's database (it reads the sessions the
 * gateway stores and shares `dreams` with it); its group starts at the end of the command topic.
 */
export async function startDreamer(
  gatewayDb: string,
  extra: Record<string, string> = {},
  clock?: Clock,
): Promise<RunningDreamer> {
  const config = loadConfig(serviceEnv('dreamer', { MONGO_DB: gatewayDb, ...extra }));
  await startGroupAtEnd(config.kafka.groupId, TOPICS.dreamCommands);
  const app = await startService(
    { ...service, module: (c) => AppModule.register(c, clock) },
    config,
  );
  const runner = app.get(DreamRunner);
  return {
    app,
    config,
    runner,
    dreams: app.get(DreamRepository),
    checkpoints: app.get(DreamCheckpointRepository),
    close: async () => {
      await runner.idle();
      await app.close();
    },
  };
}

/**
 * A dream as the gateway stores it for `POST /v1/dreams` without inputs (since the last dream,
 * builtin model, publish apply), with `overrides`. Stored with `dreams.create`, nothing asks a
 * dreamer to run it: the test does.
 */
export function aDream(
  ids: Pick<NewDream, '_id' | 'tenantId' | 'agentId'>,
  overrides: Partial<NewDream> = {},
): NewDream {
  return {
    ...ids,
    input: { type: 'since_last_dream', limit: 100 },
    instructions: '',
    model: { provider: 'builtin' },
    publish: 'apply',
    trigger: 'api',
    ...overrides,
  };
}
