export * from './http/playbooks-http.module';
