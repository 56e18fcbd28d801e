import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { CallerController } from './caller.controller';

/**
 * /v1/api-keys: create, list and revoke the tenant's keys (admin scope). Verifying keys on every
 * route is `ApiKeysAuthModule`'s; this is only their management. /v1/me: any key's own tenant.
 */
@Module({
  imports: [SessionsDataAccessModule],
  controllers: [ApiKeysController, CallerController],
  providers: [ApiKeyGuard, ApiKeysService],
})
export class ApiKeysHttpModule {}
