export * from './event-types';
export * from './signature';
export * from './backoff';
export * from './webhook-events';
export * from './network-policy';
