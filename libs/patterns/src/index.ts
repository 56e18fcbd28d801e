export * from './safe-pattern';
