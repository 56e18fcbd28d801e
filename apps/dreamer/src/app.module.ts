import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type ServiceConfig, type ServiceDefinition } from '@reverie/service-kit';

/** Reviews past sessions and writes playbooks (built out in a later issue). For now: config, MongoDB, Kafka and health. */
@Module({})
export class AppModule {
  static register(config: ServiceConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot(config, { topics: [] })] };
  }
}

export const service: ServiceDefinition<ServiceConfig> = {
  module: (config) => AppModule.register(config),
};
