export * from './ids';
export * from './api-key';
export * from './errors';
export * from './validation';
export * from './agent.schema';
export * from './session.schema';
export * from './append-plan';
export * from './event-appended';
