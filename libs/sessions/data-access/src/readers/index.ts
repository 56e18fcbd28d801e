// What services other than the gateway may use of the sessions domain's collections
// (`@reverie/sessions-data-access/readers`): read-only access, and the one agent field the
// dreamer writes. Their writers stay behind the main entry point.
export * from './sessions-readers.module';
export * from './session.reader';
// When an ended session's events are all stored: the grader's and the dream's rule.
export * from './events-complete';
export * from './agent-dreaming.repository';
export * from './agent.reader';
export type { ScheduleError, StoredDreamingSettings } from '../schemas/agent.schema';
// The gateway's cancel of a run command it thought unsent, which the run's own end overrides:
// the orchestrator's rule for when a run under way stops.
export { reopensOnRetry, RUN_NOT_ACKNOWLEDGED } from '@reverie/sessions-domain';
