import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '@reverie/http';
import { SessionsDataAccessModule } from '@reverie/sessions-data-access';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';

/**
 * /v1/api-keys: create, list and revoke the tenant's keys (admin scope). Verifying keys on every
 * route is `ApiKeysAuthModule`'s; this is only their management.
 */
@Module({
  imports: [SessionsDataAccessModule],
  controllers: [ApiKeysController],
  providers: [ApiKeyGuard, ApiKeysService],
})
export class ApiKeysHttpModule {}
