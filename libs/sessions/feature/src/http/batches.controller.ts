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
import { MANAGED_ENVIRONMENTS } from '@reverie/environments';
import { ApiCursorPage, ApiKeyGuard, openApiSchema, presentPage, TenantId } from '@reverie/http';
import { batchRunSchema, cancelBatchSchema, MAX_BATCH_TASKS } from '@reverie/sessions-domain';
import { z } from 'zod';
import { BatchesService, type BatchDetail } from './batches.service';
import { IdempotencyKeyHeader, idempotencyKeyOf } from './idempotent-requests';
import { presentBatch, presentBatchSession } from './presenters';

/** The request body as documented: tasks shown with the shape of each environment's task. */
const documentedBatch = z.object({
  agentId: z.string(),
  title: z.string().max(500).optional(),
  run: batchRunSchema,
  // One member per environment a managed session can run.
  tasks: z
    .array(z.union(MANAGED_ENVIRONMENTS.map((e) => e.managed.taskSchema)))
    .min(1)
    .max(MAX_BATCH_TASKS),
});

function present(detail: BatchDetail) {
  const sessions = detail.sessions.data.map(presentBatchSession);
  return {
    ...presentBatch(detail.batch, detail.progress),
    sessions,
    has_more: detail.sessions.hasMore,
    last_id: sessions.at(-1)?.id ?? null,
  };
}

@ApiTags('batches')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/batches')
export class BatchesController {
  constructor(private readonly batches: BatchesService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Start a batch: one managed session per task, each run by an orchestrator',
    description: `At most ${MAX_BATCH_TASKS} tasks. Answers with the batch and its progress.`,
  })
  @ApiBody({ schema: openApiSchema(documentedBatch) })
  @IdempotencyKeyHeader()
  async create(
    @TenantId() tenantId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const key = idempotencyKeyOf(idempotencyKey);
    return present(await this.batches.create(tenantId, body, key));
  }

  @Get()
  @ApiOperation({ summary: 'List batches with their progress, newest first' })
  @ApiQuery({ name: 'agentId', required: false })
  @ApiCursorPage()
  async list(@TenantId() tenantId: string, @Query() query: Record<string, unknown>) {
    const page = await this.batches.list(tenantId, query);
    return presentPage(
      page,
      (b) => presentBatch(b.batch, b.progress),
      (b) => b.id,
    );
  }

  @Get(':id')
  @ApiOperation({
    summary: "A batch's progress and its sessions in task order, paged",
    description: '`counts` and `done` cover the whole batch; `sessions` is one page of it.',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  })
  @ApiQuery({
    name: 'after_id',
    required: false,
    description: 'last session id of the previous page',
  })
  async get(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ) {
    return present(await this.batches.get(tenantId, id, query));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel what is left of a batch',
    description:
      'Each of its sessions still running ends `canceled` with the reason (default: the batch was ' +
      'canceled), as `POST /v1/sessions/:id/end` would end it: an orchestrator skips a command it ' +
      'has not started and stops a run under way within `SESSION_WATCH_MS`. Ended sessions keep ' +
      'their status, so a repeat cancels nothing more. Answers with the batch, its first page of ' +
      'sessions and `canceled`, how many this request ended.',
  })
  @ApiBody({ required: false, schema: openApiSchema(cancelBatchSchema) })
  async cancel(@TenantId() tenantId: string, @Param('id') id: string, @Body() body: unknown) {
    const { canceled, ...detail } = await this.batches.cancel(tenantId, id, body);
    return { ...present(detail), canceled };
  }
}
