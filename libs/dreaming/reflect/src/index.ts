export * from './session-calls';
export * from './localise';
export * from './contrast';
export * from './offline-check';
export * from './transcript';
export * from './model-proposals';
