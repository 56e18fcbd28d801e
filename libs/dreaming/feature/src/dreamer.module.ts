import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS, topicWithConfig } from '@reverie/contracts';
import { DreamingDataAccessModule } from '@reverie/dreaming-data-access';
import { OutcomesDataAccessModule } from '@reverie/outcomes-data-access';
import { PlaybooksDataAccessModule } from '@reverie/playbooks-data-access';
import { SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import { DreamCommandsController } from './dream-commands.controller';
import {
  DREAMER_CLOCK,
  DREAMER_OPTIONS,
  SYSTEM_CLOCK,
  type Clock,
  type DreamerOptions,
} from './dreamer.options';
import { DreamPipeline } from './pipeline/dream-pipeline';
import { DreamRunner } from './pipeline/dream-runner.service';
import { DreamScheduler } from './schedule/dream-scheduler';
import { DreamerSweep } from './sweep/dreamer-sweep';
import { TrialAnnouncementSweep } from './trials/trial-announcements.sweep';
import { TrialOutcomesController } from './trials/trial-outcomes.controller';

/**
 * Runs dreams: consumes `dream.requested` (the app connects the Kafka transport), runs the
 * pipeline, writes playbook versions and announces them, and `dream.ended`; consumes the grader's
 * `outcome.evaluated` to decide canary trials of the versions it put on trial. Needs the platform's
 * Mongo connection (the gateway's database: it reads sessions, events and outcomes read-only, through
 * their owners' readers, and writes only an agent's schedule error) and Kafka module.
 */
@Module({})
export class DreamerModule {
  static register(options: DreamerOptions, clock: Clock = SYSTEM_CLOCK): DynamicModule {
    return {
      module: DreamerModule,
      imports: [
        DreamingDataAccessModule,
        OutcomesDataAccessModule,
        PlaybooksDataAccessModule,
        SessionsReadersModule,
      ],
      controllers: [DreamCommandsController, TrialOutcomesController],
      providers: [
        { provide: DREAMER_OPTIONS, useValue: options },
        { provide: DREAMER_CLOCK, useValue: clock },
        DreamPipeline,
        DreamRunner,
        DreamScheduler,
        TrialAnnouncementSweep,
        DreamerSweep,
      ],
      exports: [DreamRunner, DreamPipeline, DreamScheduler, DreamerSweep],
    };
  }
}

/** The topics the dreamer uses, for the platform to create at start-up. */
export const DREAMER_TOPICS = [
  { topic: TOPICS.dreamCommands, withDeadLetter: true },
  { topic: TOPICS.dreams },
  // The grader's verdicts decide canary trials (TrialOutcomesController).
  { topic: TOPICS.outcomes, withDeadLetter: true },
  topicWithConfig(TOPICS.playbookVersions),
];
