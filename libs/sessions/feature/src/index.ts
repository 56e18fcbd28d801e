export * from './http/sessions-http.module';
export * from './http/sessions-http.options';
export * from './http/api-keys-auth.module';
export * from './http/api-keys-http.module';
export * from './http/api-key-revocations.listener';
export * from './ingest/sessions-ingest.module';
export * from './ingest/session-ingest.service';
export * from './admin/api-keys.admin';
