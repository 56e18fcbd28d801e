export * from './dream.types';
export * from './patterns';
export * from './divergence';
export * from './curate';
export * from './render-report';
export * from './schedule';
export * from './objective';
export * from './memory';
