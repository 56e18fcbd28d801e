export * from './schemas/dream.schema';
export * from './repositories/dream.repository';
export * from './dreaming-data-access.module';
export * from './schemas/dreaming-control.schema';
export * from './repositories/dreaming-control.repository';
export * from './schemas/dream-slot.schema';
export * from './repositories/dream-slot.repository';
