export * from './kafka-settings';
export * from './create-kafka';
export * from './ensure-topics';
export * from './event-publisher';
export * from './kafka-batch.server';
export * from './kafka.module';
export * from './dead-letters';
