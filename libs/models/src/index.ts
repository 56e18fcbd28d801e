export * from './model-provider';
export * from './model-provider.error';
export * from './retry-policy';
export * from './tool-loop';
export * from './token-budget';
export * from './anthropic.provider';
export * from './builtin.provider';
export * from './create-provider';
