import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, openApiSchema, TenantId } from '@reverie/http';
import { WEBHOOK_DELIVERY_STATUSES } from '@reverie/webhooks-data-access';
import { WEBHOOK_EVENT_TYPES } from '@reverie/webhooks-domain';
import { createWebhookSchema } from './webhook-requests';
import { presentWebhook, presentWebhookDelivery } from './webhooks.presenter';
import { WebhooksService } from './webhooks.service';

/**
 * Webhooks: a tenant's subscriptions to what dreams change, delivered by the dreamer the Standard
 * Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature` signed with the
 * subscription's secret), retried with backoff and recorded with the receiver's status codes (never its bodies).
 */
@ApiTags('webhooks')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Subscribe a URL to event types',
    description:
      `\`event_types\`: any of ${WEBHOOK_EVENT_TYPES.join(', ')}. The response holds the ` +
      'signing `secret` (`whsec_…`); it is shown only this once. Deliveries are POSTs with ' +
      '`webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of ' +
      '`id.timestamp.body` keyed with the base64 after `whsec_`); a 2xx answer ends a delivery, ' +
      'anything else is retried with backoff, and a 410 turns the subscription off. The URL ' +
      'must be http(s) without credentials and may not point at loopback, private, link-local, ' +
      'carrier-grade NAT, multicast or cloud metadata addresses (a 400 says which); host names ' +
      'are resolved and checked again at every delivery.',
  })
  @ApiBody({ schema: openApiSchema(createWebhookSchema) })
  async create(@TenantId() tenantId: string, @Body() body: unknown) {
    return presentWebhook(await this.webhooks.create(tenantId, body), { withSecret: true });
  }

  @Get()
  @ApiOperation({ summary: 'List webhooks, newest first (without their secrets)' })
  async list(@TenantId() tenantId: string, @Query() query: Record<string, unknown>) {
    const data = (await this.webhooks.list(tenantId, query)).map((s) => presentWebhook(s));
    return { data };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A webhook (without its secret)' })
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentWebhook(await this.webhooks.get(tenantId, id));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a webhook and its delivery records; nothing more is sent' })
  async delete(@TenantId() tenantId: string, @Param('id') id: string) {
    await this.webhooks.delete(tenantId, id);
    return { type: 'webhook_deleted' as const, id };
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: "A webhook's deliveries, newest first, with every attempt",
    description:
      'Each attempt shows when it was made, the status the receiver answered (null when none ' +
      'came), how long it took, and on failure an `error_type` (`http_status`, `timeout`, ' +
      '`address_refused`, `connection_refused`, `connection_failed`, `dns_failed`, `tls_failed`, ' +
      "`subscription_disabled`) with an `error` message of our own. The receiver's response " +
      'body is never stored or shown. A `pending` delivery shows `next_attempt_at`.',
  })
  @ApiQuery({ name: 'status', required: false, enum: WEBHOOK_DELIVERY_STATUSES })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  async deliveries(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const page = await this.webhooks.deliveriesOf(tenantId, id, query);
    return { data: page.data.map(presentWebhookDelivery), has_more: page.hasMore };
  }
}
