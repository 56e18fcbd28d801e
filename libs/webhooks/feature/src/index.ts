export * from './webhook-delivery.module';
export * from './webhook-delivery.options';
export * from './webhook-fanout.service';
export * from './webhook-sender.service';
