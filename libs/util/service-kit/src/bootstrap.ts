import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { KafkaBatchServer } from '@reverie/kafka';
import { httpTelemetry, ReverieMetrics, startTracing } from '@reverie/telemetry';
import { ConfigError, type ServiceConfig } from './config/service-config';
import { ConsumerStartup } from './health/consumers.health';
import { retryAfterOnUnavailable } from './http/retry-after.middleware';
import { JsonLogger } from './logging/json-logger';

export interface ServiceDefinition<C extends ServiceConfig> {
  /** The root module, built from the validated config. */
  module: (config: C) => DynamicModule;
  /** HTTP setup before start: body limits, filters, OpenAPI. */
  configureHttp?: (app: INestApplication, config: C) => void;
  /** The Kafka transport for `@EventPattern` handlers, if the service consumes. */
  transport?: (app: INestApplication, config: C) => CustomTransportStrategy | undefined;
}

export interface StartOptions {
  /**
   * Resolve only once the Kafka consumers run (default true, for tests that need them). HTTP
   * opens before either way; `runService` does not wait and exits if they fail to start.
   */
  awaitConsumers?: boolean;
}

/**
 * Creates and starts a service: app, shutdown hooks, init (connects Mongo and Kafka, creates
 * topics), HTTP, then the consumers. HTTP opens first because joining a consumer group can take up
 * to a session timeout (a restarted replica waits for the group to drop its old member): until the
 * consumers run, `/health/live` answers and `/health/ready` says what is missing. Used by each
 * app's main.ts and by tests (with port 0).
 */
export async function startService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger = loggerFor(config),
  options: StartOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(definition.module(config), {
    logger,
    abortOnError: false,
    // Nest's defaults would read JSON and urlencoded bodies everywhere: a service registers the
    // parsers it serves in configureHttp (the gateway: JSON only). The others serve no bodies.
    bodyParser: false,
  });
  app.enableShutdownHooks();
  const metrics = app.get(ReverieMetrics);
  // First: every request is counted, timed and traced, the refused ones too.
  app.use(httpTelemetry(metrics));
  app.use(retryAfterOnUnavailable());
  definition.configureHttp?.(app, config);
  const strategy = definition.transport?.(app, config);
  if (strategy instanceof KafkaBatchServer) strategy.instrument(metrics);
  if (strategy) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  let consumers: Promise<void>;
  try {
    await app.init();
    const startup = app.get(ConsumerStartup);
    if (strategy) startup.starting();
    await app.listen(config.port, config.host);
    consumers = app.startAllMicroservices().then(
      () => (strategy ? startup.started() : undefined),
      (err: unknown) => {
        startup.failed(err);
        throw err;
      },
    );
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  if (options.awaitConsumers === false) {
    consumers.catch((err: unknown) => {
      logger.error(
        `${config.service} consumers failed to start: ${(err as Error).message}`,
        'Bootstrap',
      );
      process.exit(1);
    });
    return app;
  }
  try {
    await consumers;
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/** The service's logger: JSON lines, or readable ones with `LOG_FORMAT=pretty`. */
export function loggerFor(config: ServiceConfig): JsonLogger {
  return new JsonLogger(config.service, config.logLevel, undefined, config.telemetry?.logFormat);
}

/**
 * A service's entry point: validates config first and fails fast with one line, then starts
 * (tracing first, when an OTLP endpoint is configured, so the platform module wires MongoDB
 * spans). Start-up failures (Mongo or Kafka unreachable, consumers that cannot start) also end
 * the process with one line.
 */
export async function runService<C extends ServiceConfig>(
  name: string,
  loadConfig: () => C,
  definition: ServiceDefinition<C>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    const reason = err instanceof ConfigError ? err.message : String(err);
    process.stderr.write(`${name}: ${reason}\n`);
    process.exit(1);
  }
  const logger = loggerFor(config);
  const tracesUrl = config.telemetry?.tracesUrl;
  if (tracesUrl) {
    startTracing({
      serviceName: config.telemetry?.serviceName ?? config.service,
      url: tracesUrl,
      sampleRatio: config.telemetry?.sampleRatio,
    });
    logger.log(`exporting traces to ${tracesUrl}`, 'Bootstrap');
  }
  try {
    const app = await startService(definition, config, logger, { awaitConsumers: false });
    logger.log(`${name} listening on ${await app.getUrl()}`, 'Bootstrap');
  } catch (err) {
    logger.error(`${name} failed to start: ${(err as Error).message}`, 'Bootstrap');
    process.exit(1);
  }
}
