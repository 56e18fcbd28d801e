export * from './evaluate';
export * from './contrast';
export * from './search';
export * from './validate';
export * from './entries';
