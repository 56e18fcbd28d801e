export * from './client';
export * from './errors';
export * from './paging';
export * from './routes';
export * from './transport';
export * from './types';
