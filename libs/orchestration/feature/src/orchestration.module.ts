import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { TOPICS, topicWithConfig } from '@reverie/contracts';
import { EventPublisher, publishSessionMessages } from '@reverie/kafka';
import { createProvider } from '@reverie/models';
import { SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import { RunRepository } from './data/run.repository';
import { Run, RunSchema } from './data/run.schema';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from './orchestration.options';
import { PlaybookCatalog } from './playbooks/playbook-catalog';
import { eventsMessageId } from './sessions/session-messages';
import { PlaybookCatalogConsumer } from './playbooks/playbook-catalog.consumer';
import { ConcurrencyLimiter } from './runs/concurrency-limiter';
import { ENVIRONMENT_RUNNERS, type EnvironmentRunner } from './runs/environment-runner';
import { environmentRunners } from './runs/environment-runners';
import {
  ManagedSessionRunner,
  MODEL_PROVIDERS,
  SESSION_PUBLISHER,
  type ModelProviderFactory,
  type SessionPublisher,
} from './runs/managed-session.runner';
import { OutcomeEventsController } from './runs/outcome-events.controller';
import { RunCommandsController } from './runs/run-commands.controller';
import { SessionWatch } from './runs/session-watch';

/**
 * Runs managed sessions: consumes run commands (the app connects the Kafka transport), learns
 * playbooks from their compacted topic, and publishes each session's events to the session topic.
 * Needs the platform's Mongo connection and Kafka module.
 */
@Module({})
export class OrchestrationModule {
  static register(options: OrchestrationOptions): DynamicModule {
    const providerLogger = new Logger('ModelProvider');
    const providers: ModelProviderFactory = (settings) =>
      createProvider(settings, {
        anthropic: options.anthropic && { ...options.anthropic, logger: providerLogger },
      });
    return {
      module: OrchestrationModule,
      imports: [
        MongooseModule.forFeature([{ name: Run.name, schema: RunSchema }]),
        // A run command runs only while its session is running (RunCommandsController, SessionWatch).
        SessionsReadersModule,
      ],
      controllers: [RunCommandsController, OutcomeEventsController],
      providers: [
        { provide: ORCHESTRATION_OPTIONS, useValue: options },
        {
          provide: ENVIRONMENT_RUNNERS,
          useFactory: (): EnvironmentRunner[] => environmentRunners(options),
        },
        {
          provide: SESSION_PUBLISHER,
          inject: [EventPublisher],
          useFactory: (publisher: EventPublisher): SessionPublisher => ({
            // Each step's events (what a runner appends at once) as one session.events_appended
            // with EVENT_MESSAGES=batch, as the gateway publishes a request's.
            publish: (messages) =>
              publishSessionMessages(publisher, messages, options.eventMessages, eventsMessageId),
          }),
        },
        { provide: MODEL_PROVIDERS, useValue: providers },
        {
          provide: ConcurrencyLimiter,
          useFactory: () => new ConcurrencyLimiter(options.runConcurrency),
        },
        { provide: PlaybookCatalog, useFactory: () => new PlaybookCatalog() },
        PlaybookCatalogConsumer,
        RunRepository,
        SessionWatch,
        ManagedSessionRunner,
      ],
      exports: [RunRepository, PlaybookCatalog],
    };
  }
}

/** The topics the orchestrator uses, for the platform to create at start-up. */
export const ORCHESTRATION_TOPICS = [
  { topic: TOPICS.runCommands, withDeadLetter: true },
  { topic: TOPICS.sessionEvents },
  topicWithConfig(TOPICS.playbookVersions),
  { topic: TOPICS.outcomes },
];
