export * from './rule-space';
export * from './flight';
export * from './localise';
export * from './search-rules';
export * from './validate';
export * from './entries';
export * from './split';
