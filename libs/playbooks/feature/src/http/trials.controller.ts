import { Controller, Get, Injectable, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { idSchema } from '@reverie/contracts';
import { ApiKeyGuard, notFound, parseOrThrow, TenantId } from '@reverie/http';
import { PlaybookTrialReader, presentTrial } from '@reverie/playbooks-data-access';
import { TRIAL_STATUSES } from '@reverie/playbooks-domain';
import { AgentRepository } from '@reverie/sessions-data-access';
import { z } from 'zod';

export const listTrialsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    status: z.enum(TRIAL_STATUSES).optional(),
    /** Cursor: trials started before this one's start (the previous page's last `started_at`). */
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

@Injectable()
export class TrialsService {
  constructor(
    private readonly trials: PlaybookTrialReader,
    private readonly agents: AgentRepository,
  ) {}

  async list(tenantId: string, agentId: string, query: unknown) {
    const q = parseOrThrow(listTrialsQuerySchema, query, 'query', 'query');
    await this.mustExist(tenantId, agentId);
    const rows = await this.trials.list(tenantId, agentId, {
      limit: q.limit + 1,
      ...(q.status ? { status: q.status } : {}),
      ...(q.before ? { before: new Date(q.before) } : {}),
    });
    const data = rows.slice(0, q.limit).map(presentTrial);
    // Like the version list: the cursor of the next page is the last trial's start.
    return {
      data,
      has_more: rows.length > q.limit,
      last_started_at: data.at(-1)?.started_at ?? null,
    };
  }

  async get(tenantId: string, agentId: string, trialId: string) {
    await this.mustExist(tenantId, agentId);
    const id = idSchema.safeParse(trialId);
    const trial = id.success ? await this.trials.findById(tenantId, agentId, id.data) : null;
    if (!trial)
      throw notFound(
        `trial "${trialId}" not found for agent "${agentId}"; list them with GET /v1/agents/${agentId}/trials`,
      );
    return presentTrial(trial);
  }

  /** Another tenant's agent is as unknown as one that does not exist: 404 either way. */
  private async mustExist(tenantId: string, agentId: string): Promise<void> {
    if (!(await this.agents.findById(tenantId, agentId)))
      throw notFound(`agent "${agentId}" not found; create one with POST /v1/agents`);
  }
}

/**
 * Canary trials of an agent's playbook versions: which versions, the share of sessions, each
 * arm's counts and success rate, and the decision with its reason (GET only: trials are started
 * by dreams and decided by the grader's outcomes; the kill switch stops them).
 */
@ApiTags('playbooks')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/agents/:agentId/trials')
export class TrialsController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiOperation({
    summary: "The agent's canary trials, newest first",
    description:
      'Each with its arms (sessions served, graded, succeeded, success rate), the SPRT it is decided by, and the decision once made. Page with `before=<last_started_at>` while `has_more`.',
  })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'status', required: false, enum: TRIAL_STATUSES })
  @ApiQuery({ name: 'before', required: false })
  list(
    @TenantId() tenantId: string,
    @Param('agentId') agentId: string,
    @Query() q: Record<string, unknown>,
  ) {
    return this.trials.list(tenantId, agentId, q);
  }

  @Get(':trialId')
  @ApiOperation({ summary: 'One canary trial' })
  get(
    @TenantId() tenantId: string,
    @Param('agentId') agentId: string,
    @Param('trialId') trialId: string,
  ) {
    return this.trials.get(tenantId, agentId, trialId);
  }
}
