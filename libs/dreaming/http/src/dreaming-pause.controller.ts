import { Body, Controller, Get, Injectable, Put, Query, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import {
  DreamingControlRepository,
  DreamRepository,
  type DreamingControlRecord,
} from '@reverie/dreaming-data-access';
import { PlaybookTrialWriter } from '@reverie/playbooks-data-access';
import { AgentReader } from '@reverie/sessions-data-access/readers';
import { idSchema } from '@reverie/contracts';
import { ApiKeyGuard, iso, notFound, openApiSchema, parseOrThrow, TenantId } from '@reverie/http';
import { z } from 'zod';

export const pauseBodySchema = z
  .object({
    paused: z.boolean(),
    /** One agent; without it the whole tenant. */
    agent_id: idSchema.optional(),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .strict();
const pauseQuerySchema = z.object({ agent_id: idSchema.optional() }).strict();

export function presentControl(
  c: DreamingControlRecord | null,
  tenantScope: { agentId: string | null },
) {
  return {
    type: 'dreaming_control' as const,
    scope: tenantScope.agentId ? ('agent' as const) : ('tenant' as const),
    agent_id: tenantScope.agentId,
    paused: c?.paused ?? false,
    reason: c?.reason ?? null,
    updated_at: iso(c?.updatedAt),
  };
}

/**
 * The kill switch: pausing stops new dreams (scheduled or asked for), cancels running ones and
 * stops running canary trials (the current version is served again; candidates stay proposals).
 */
@Injectable()
export class DreamingPauseService {
  constructor(
    private readonly controls: DreamingControlRepository,
    private readonly dreams: DreamRepository,
    private readonly agents: AgentReader,
    private readonly trials: PlaybookTrialWriter,
  ) {}

  async set(tenantId: string, body: unknown) {
    const req = parseOrThrow(pauseBodySchema, body, 'pause request');
    const agentId = req.agent_id ?? null;
    await this.mustExist(tenantId, agentId);
    const control = await this.controls.set(
      tenantId,
      agentId,
      req.paused,
      req.reason ?? null,
      null,
    );
    const canceled = req.paused
      ? await this.dreams.unfinishedIds(tenantId, agentId ?? undefined)
      : [];
    await Promise.all(canceled.map((id) => this.dreams.cancel(tenantId, id)));
    const stopped = req.paused
      ? await this.trials.stopRunning(
          tenantId,
          agentId,
          `stopped by the kill switch${req.reason ? `: ${req.reason}` : ''}`,
        )
      : [];
    return {
      ...presentControl(control, { agentId }),
      canceled_dreams: canceled,
      stopped_trials: stopped,
    };
  }

  async get(tenantId: string, query: unknown) {
    const q = parseOrThrow(pauseQuerySchema, query, 'query', 'query');
    const agentId = q.agent_id ?? null;
    await this.mustExist(tenantId, agentId);
    return presentControl(await this.controls.get(tenantId, agentId), { agentId });
  }

  /** An agent of another tenant is as unknown as one that does not exist: 404 either way. */
  private async mustExist(tenantId: string, agentId: string | null): Promise<void> {
    if (agentId && !(await this.agents.exists(tenantId, agentId)))
      throw notFound(
        `agent "${agentId}" not found; check the id, or create an agent with POST /v1/agents`,
      );
  }
}

@ApiTags('dreams')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/dreaming/pause')
export class DreamingPauseController {
  constructor(private readonly pause: DreamingPauseService) {}

  @Put()
  @ApiOperation({
    summary: 'Pause or resume dreaming (the kill switch), for the tenant or one agent',
    description:
      'While paused no dream starts (a scheduled one is skipped, POST /v1/dreams is a 409) and ' +
      'pausing cancels the unfinished dreams in scope: pending ones at once, running ones at their ' +
      'next heartbeat, as POST /v1/dreams/:id/cancel does (`canceled_dreams` lists them). The ' +
      'tenant switch covers every agent.',
  })
  @ApiBody({ schema: openApiSchema(pauseBodySchema) })
  set(@TenantId() tenantId: string, @Body() body: unknown) {
    return this.pause.set(tenantId, body);
  }

  @Get()
  @ApiOperation({
    summary: 'Whether dreaming is paused, for the tenant or one agent',
    description: 'An `agent_id` that is not one of your agents is a 404.',
  })
  @ApiQuery({ name: 'agent_id', required: false })
  get(@TenantId() tenantId: string, @Query() query: Record<string, unknown>) {
    return this.pause.get(tenantId, query);
  }
}
