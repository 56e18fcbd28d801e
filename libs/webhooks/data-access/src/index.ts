export * from './schemas/webhook-subscription.schema';
export * from './schemas/webhook-delivery.schema';
export * from './repositories/webhook-subscription.repository';
export * from './repositories/webhook-delivery.repository';
export * from './webhooks-data-access.module';
