export * from './http/sessions-http.module';
export * from './http/sessions-http.options';
export * from './http/openapi';
export * from './http/api-error.filter';
export * from './ingest/sessions-ingest.module';
export * from './ingest/session-ingest.service';
export * from './admin/api-keys.admin';
