export * from './environment-definition';
export * from './facts';
