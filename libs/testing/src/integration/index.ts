export * from './test-stack';
export * from './service-lifecycle';
export * from './data-access-context';
export * from './private-stack';
export * from './java-tools';
export * from './declared-queries';
export * from './unconnected-publisher';
