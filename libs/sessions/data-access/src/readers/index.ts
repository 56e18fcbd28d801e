// What services other than the gateway may use of the sessions domain's collections
// (`@reverie/sessions-data-access/readers`): read-only access, and the one agent field the
// dreamer writes. Their writers stay behind the main entry point.
export * from './sessions-readers.module';
export * from './session.reader';
export * from './agent-dreaming.repository';
export * from './agent.reader';
export type { ScheduleError, StoredDreamingSettings } from '../schemas/agent.schema';
