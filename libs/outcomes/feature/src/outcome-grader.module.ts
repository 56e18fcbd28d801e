import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@reverie/contracts';
import { OutcomesDataAccessModule } from '@reverie/outcomes-data-access';
import { SessionsReadersModule } from '@reverie/sessions-data-access/readers';
import { GradeEventsController } from './grading/grade-events.controller';
import { SessionGrader } from './grading/session-grader';
import { OUTCOME_GRADER_OPTIONS, type OutcomeGraderOptions } from './outcome-grader.options';

/**
 * Grades ended sessions: consumes `session.ended` from the session topic and regrade requests
 * (the app connects the Kafka transport), and announces each verdict on the outcomes topic.
 * Needs the platform's Mongo connection (the gateway's database: it reads sessions, their events
 * and feedback through the sessions domain's SessionReader, and the agents' outcome definitions;
 * it writes only `outcomes`) and Kafka module.
 */
@Module({})
export class OutcomeGraderModule {
  static register(options: OutcomeGraderOptions): DynamicModule {
    return {
      module: OutcomeGraderModule,
      imports: [OutcomesDataAccessModule, SessionsReadersModule],
      controllers: [GradeEventsController],
      providers: [{ provide: OUTCOME_GRADER_OPTIONS, useValue: options }, SessionGrader],
      exports: [SessionGrader],
    };
  }
}

/** The topics the grader uses, for the platform to create at start-up. */
export const OUTCOME_GRADER_TOPICS = [
  { topic: TOPICS.sessionEvents, withDeadLetter: true },
  { topic: TOPICS.outcomeCommands, withDeadLetter: true },
  { topic: TOPICS.outcomes },
];
