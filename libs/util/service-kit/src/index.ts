export * from './config/service-config';
export * from './logging/json-logger';
export * from './health/kafka.health';
export * from './platform.module';
export * from './bootstrap';
export * from './config/shared-env';
export * from './mongo/declared-queries';
