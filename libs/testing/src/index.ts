export * from './expect-eventually';
export * from './builders';
export * from './api-client';
export * from './datasets';
export * from './free-ports';
