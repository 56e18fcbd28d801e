export * from './webhooks-http.module';
export * from './webhooks-http.options';
