import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiQuery, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/** A zod request schema as an OpenAPI 3.0 schema, so the docs come from the validating schema. */
export function openApiSchema(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as SchemaObject;
}

/** Documents a cursor-paged list's `limit` (1 to 100, default 20) and `after_id`. */
export function ApiCursorPage(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'limit',
      required: false,
      schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    }),
    ApiQuery({ name: 'after_id', required: false, description: 'last id of the previous page' }),
  );
}

/** Serves the OpenAPI document at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('Reverie session gateway')
    .setDescription(
      'Agents, sessions and their events, feedback. Every /v1 request carries an API key in ' +
        '`x-api-key` (or `Authorization: Bearer`). Errors are `{ type: "error", error: { type, message, details } }`.',
    )
    .setVersion(version)
    .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
}
