export * from './outcomes-data-access.module';
export * from './outcome-definition-id';
export * from './schemas/outcome-definition.schema';
export * from './schemas/outcome.schema';
export * from './repositories/outcome-errors';
export * from './repositories/outcome-definition.repository';
export * from './repositories/outcome.repository';
