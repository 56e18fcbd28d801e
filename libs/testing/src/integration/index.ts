export * from './test-stack';
export * from './service-lifecycle';
