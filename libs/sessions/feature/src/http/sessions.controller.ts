import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiCursorPage, ApiKeyGuard, openApiSchema, presentPage, TenantId } from '@reverie/http';
import {
  apiEventBodySchema,
  createSessionSchema,
  endSessionSchema,
  feedbackSchema,
  MAX_FEEDBACK_PER_SESSION,
  SESSION_STATUSES,
} from '@reverie/sessions-domain';
import { z } from 'zod';
import { IdempotencyKeyHeader, idempotencyKeyOf } from './idempotent-requests';
import { presentEvent, presentFeedback, presentSession } from './presenters';
import { SessionsService } from './sessions.service';

@ApiTags('sessions')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Start a session for an agent',
    description:
      'Without `run`, an external session: the client posts its events. With `run`, a managed ' +
      'session: the gateway stores it `running` and sends a run command; an orchestrator runs it.',
  })
  @ApiBody({ schema: openApiSchema(createSessionSchema) })
  @IdempotencyKeyHeader()
  async create(
    @TenantId() tenantId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const key = idempotencyKeyOf(idempotencyKey);
    const { served, ...session } = await this.sessions.create(tenantId, body, key);
    // An external session's response carries the playbook(s) it runs with: version, prompt text
    // and rules, per role for a team, so one call gives the agent what to read.
    return { ...presentSession(session), ...(served ? { playbooks: served } : {}) };
  }

  @Get()
  @ApiOperation({ summary: 'List sessions, newest first' })
  @ApiQuery({ name: 'agentId', required: false })
  @ApiQuery({ name: 'status', required: false, enum: SESSION_STATUSES })
  @ApiQuery({ name: 'batchId', required: false })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'Sessions started at or after this ISO 8601 date-time',
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'Sessions started before this ISO 8601 date-time (later than `from`)',
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiCursorPage()
  async list(@TenantId() tenantId: string, @Query() query: Record<string, unknown>) {
    const page = await this.sessions.list(tenantId, query);
    return presentPage(page, presentSession, (s) => s.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Read a session' })
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentSession(await this.sessions.getSession(tenantId, id));
  }

  @Post(':id/events')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Append a batch of events',
    description:
      'Accepted once durably on Kafka; stored asynchronously in order with a gap-free `seq`. ' +
      'Re-sending an event with the same `clientEventId` stores it once (the first sent), within ' +
      'a batch too: `accepted` and `events` count each `clientEventId` once.',
  })
  @ApiBody({ schema: openApiSchema(z.object({ events: z.array(apiEventBodySchema) })) })
  append(@TenantId() tenantId: string, @Param('id') id: string, @Body() body: unknown) {
    return this.sessions.append(tenantId, id, body);
  }

  @Get(':id/events')
  @ApiOperation({
    summary: "A session's stored events in seq order, paged",
    description:
      'At most `limit` events and about 4 MB of their bodies (at least one event): `has_more` ' +
      'says when either cut the page short; continue with `after_seq=<last_seq>`.',
  })
  @ApiQuery({
    name: 'after_seq',
    required: false,
    schema: { type: 'integer', minimum: 0, default: 0 },
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  })
  async events(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const page = await this.sessions.listEvents(tenantId, id, query);
    const data = page.data.map(presentEvent);
    return { data, has_more: page.hasMore, last_seq: data.at(-1)?.seq ?? null };
  }

  @Post(':id/end')
  @HttpCode(200)
  @ApiOperation({
    summary: 'End a session with a status',
    description:
      'A managed session ended while it runs stops its run: within `SESSION_WATCH_MS` (5 s by default) the orchestrator aborts its model call in flight and publishes nothing more of it.',
  })
  @ApiBody({ schema: openApiSchema(endSessionSchema) })
  async end(@TenantId() tenantId: string, @Param('id') id: string, @Body() body: unknown) {
    return presentSession(await this.sessions.end(tenantId, id, body));
  }

  @Get(':id/feedback')
  @ApiOperation({ summary: 'Feedback given on a session, oldest first, paged by `after_id`' })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_FEEDBACK_PER_SESSION,
      default: MAX_FEEDBACK_PER_SESSION,
    },
  })
  @ApiQuery({ name: 'after_id', required: false, description: 'last id of the previous page' })
  async listFeedback(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    const page = await this.sessions.listFeedback(tenantId, id, query);
    return presentPage(page, presentFeedback, (f) => f.id);
  }

  @Post(':id/feedback')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Give feedback on a session, or on one of its events',
    description: `At most ${MAX_FEEDBACK_PER_SESSION} pieces of feedback a session; past that, a 409.`,
  })
  @ApiBody({ schema: openApiSchema(feedbackSchema) })
  @IdempotencyKeyHeader()
  feedback(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const key = idempotencyKeyOf(idempotencyKey);
    return this.sessions.feedback(tenantId, id, body, key);
  }
}
