export * from './dreaming-http.module';
