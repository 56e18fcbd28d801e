export * from './api-error';
export * from './validation';
export * from './api-error.filter';
export * from './http-errors.module';
export * from './api-key.guard';
export * from './tenant.decorator';
export * from './openapi';
export * from './presenters';
