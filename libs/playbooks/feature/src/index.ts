export * from './http/playbooks-http.module';
export * from './http/key-id.decorator';
