export * from './sessions-data-access.module';
export * from './repositories/mongo-errors';
export * from './repositories/agent.repository';
export * from './repositories/session.repository';
export * from './repositories/session-event.repository';
export * from './repositories/feedback.repository';
export * from './repositories/api-key.repository';
export * from './repositories/batch.repository';
