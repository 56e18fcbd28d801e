import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, openApiSchema, RequireScope, TenantId } from '@reverie/http';
import { createApiKeySchema } from './api-key-requests';
import { presentApiKey } from './api-keys.presenter';
import { ApiKeysService } from './api-keys.service';

/**
 * The tenant's API keys, for keys with the `admin` scope (others get a 403). A key from
 * `npm run api-key` is an admin key; the keys it creates have the scopes asked for.
 */
@ApiTags('api-keys')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@RequireScope('admin')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create an API key',
    description:
      'The response holds the key itself (`key`, `rvk_…`); it is shown only this once and ' +
      'stored only as a hash. `scopes`: none (the default) or `["admin"]`, which also lets the ' +
      'key manage keys.',
  })
  @ApiBody({ schema: openApiSchema(createApiKeySchema) })
  async create(@TenantId() tenantId: string, @Body() body: unknown) {
    const { record, token } = await this.keys.create(tenantId, body);
    return presentApiKey(record, token);
  }

  @Get()
  @ApiOperation({
    summary: "The tenant's active API keys, newest first (never the keys themselves)",
    description: '`last_used_at` is written at most once a minute per key.',
  })
  async list(@TenantId() tenantId: string) {
    return { data: (await this.keys.list(tenantId)).map((k) => presentApiKey(k)) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'An API key, active or revoked (never the key itself)' })
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentApiKey(await this.keys.get(tenantId, id));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Revoke an API key, at once on every gateway replica',
    description:
      'Requests with the key get a 401 from then on. Revoking a revoked key changes nothing ' +
      'and answers 200 with its first revocation time. A key may revoke itself.',
  })
  async revoke(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentApiKey(await this.keys.revoke(tenantId, id));
  }
}
