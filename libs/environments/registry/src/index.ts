export * from '@reverie/environment-kit';
export * from './environments.registry';
export * from './environment-plugins';
export * from './external.environment';
