export * from './outcomes-http.module';
