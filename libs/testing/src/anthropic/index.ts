export * from './messages-server';
export * from './scripted-replies';
export * from './token-count';
export * from './wire-types';
