import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, type TenantRequest } from '@reverie/http';
import { apiKeyResourceId } from '@reverie/sessions-domain';

/**
 * Who the presented key speaks for: its tenant and scopes, for any valid key. A client (the
 * console's sign-in) checks a key with it and shows whose data it is looking at.
 */
@ApiTags('api-keys')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/me')
export class CallerController {
  @Get()
  @ApiOperation({ summary: "The calling key's tenant, id and scopes (any valid key)" })
  whoAmI(@Req() request: TenantRequest) {
    return {
      type: 'caller' as const,
      tenant: request.tenantId ?? null,
      key_id: request.apiKey ? apiKeyResourceId(request.apiKey.keyId) : null,
      scopes: request.apiKey?.scopes ?? [],
    };
  }
}
