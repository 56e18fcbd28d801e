import { Global, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { MetricsController } from './metrics/metrics.controller';
import { ReverieMetrics } from './metrics/reverie-metrics';
import { flushTracing } from './tracing/tracing';

/** Exports the spans still buffered when the service stops. */
class TracingFlush implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing().catch(() => undefined);
  }
}

/**
 * `/metrics` and the `ReverieMetrics` every module can inject (global). One registry per
 * application. The HTTP middleware is installed by the service kit, first in the chain.
 */
@Global()
@Module({})
export class TelemetryModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: TelemetryModule,
      controllers: [MetricsController],
      providers: [{ provide: ReverieMetrics, useValue: new ReverieMetrics(service) }, TracingFlush],
      exports: [ReverieMetrics],
    };
  }
}
