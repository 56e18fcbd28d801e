import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { ConfigError, type ServiceConfig } from './config/service-config';
import { JsonLogger } from './logging/json-logger';

export interface ServiceDefinition<C extends ServiceConfig> {
  /** The root module, built from the validated config. */
  module: (config: C) => DynamicModule;
  /** HTTP setup before start: body limits, filters, OpenAPI. */
  configureHttp?: (app: INestApplication, config: C) => void;
  /** The Kafka transport for `@EventPattern` handlers, if the service consumes. */
  transport?: (app: INestApplication, config: C) => CustomTransportStrategy | undefined;
}

/**
 * Creates and starts a service: app, shutdown hooks, init (connects Mongo and Kafka, creates
 * topics), consumers, then HTTP. Used by each app's main.ts and by tests (with port 0).
 */
export async function startService<C extends ServiceConfig>(
  definition: ServiceDefinition<C>,
  config: C,
  logger = new JsonLogger(config.service, config.logLevel),
): Promise<INestApplication> {
  const app = await NestFactory.create(definition.module(config), {
    logger,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  definition.configureHttp?.(app, config);
  const strategy = definition.transport?.(app, config);
  if (strategy) app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  try {
    await app.init();
    await app.startAllMicroservices();
    await app.listen(config.port, config.host);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}

/**
 * A service's entry point: validates config first and fails fast with one line, then starts.
 * Start-up failures (Mongo or Kafka unreachable) also end the process with one line.
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
  const logger = new JsonLogger(config.service, config.logLevel);
  try {
    const app = await startService(definition, config, logger);
    logger.log(`${name} listening on ${await app.getUrl()}`, 'Bootstrap');
  } catch (err) {
    logger.error(`${name} failed to start: ${(err as Error).message}`, 'Bootstrap');
    process.exit(1);
  }
}
