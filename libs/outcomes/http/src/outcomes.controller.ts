import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { OUTCOME_RESULTS } from '@reverie/contracts';
import {
  ApiCursorPage,
  ApiKeyGuard,
  ApiKeyId,
  openApiSchema,
  presentPage,
  TenantId,
} from '@reverie/http';
import type { OutcomeDefinitionRecord, OutcomeRecord } from '@reverie/outcomes-data-access';
import { outcomeDefinitionSchema } from '@reverie/outcomes-domain';
import {
  DEFAULT_REGRADE_LIMIT,
  MAX_REGRADE_SESSIONS,
  OutcomesService,
  regradeBodySchema,
} from './outcomes.service';

type Query = Record<string, unknown>;

/** A stored definition version as the API shows it. */
export function presentDefinition(d: OutcomeDefinitionRecord) {
  return {
    type: 'outcome_definition' as const,
    agentId: d.agentId,
    version: d.version,
    /** As validated, with defaults filled in. */
    definition: d.definition,
    createdAt: new Date(d.createdAt).toISOString(),
    /** The id of the API key that stored this version. */
    author: d.author,
  };
}

/** An outcome as the API shows it: its id as `outcomeId`, no tenant, ISO time. */
export function presentOutcome(o: OutcomeRecord) {
  return {
    type: 'outcome' as const,
    outcomeId: o._id,
    agentId: o.agentId,
    sessionId: o.sessionId,
    iteration: o.iteration,
    definitionVersion: o.definitionVersion,
    maxIterations: o.maxIterations,
    result: o.result,
    score: o.score,
    criteria: o.criteria,
    failedCriteria: o.failedCriteria,
    summary: o.summary,
    judgeUsage: o.judgeUsage,
    signals: o.signals,
    regrade: o.regrade,
    gradedAt: new Date(o.gradedAt).toISOString(),
  };
}

function presentHistoryItem(o: OutcomeRecord) {
  return {
    outcomeId: o._id,
    iteration: o.iteration,
    result: o.result,
    score: o.score,
    gradedAt: new Date(o.gradedAt).toISOString(),
  };
}

@ApiTags('outcomes')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  @Put('agents/:id/outcome')
  @HttpCode(200)
  @ApiOperation({
    summary: "Define (or change) the agent's outcome: the rubric its sessions are graded by",
    description:
      'Each change is a new version (1, 2, ...); the same definition again answers the current ' +
      'version unchanged. Every problem is listed in `details` with its path.',
  })
  @ApiBody({ schema: openApiSchema(outcomeDefinitionSchema) })
  async define(
    @TenantId() tenantId: string,
    @ApiKeyId() keyId: string,
    @Param('id') agentId: string,
    @Body() body: unknown,
  ) {
    return presentDefinition(await this.outcomes.define(tenantId, agentId, body, keyId));
  }

  @Get('agents/:id/outcome')
  @ApiOperation({ summary: "The agent's outcome definition: the latest version, or `?version=`" })
  @ApiQuery({ name: 'version', required: false, schema: { type: 'integer', minimum: 1 } })
  async definition(
    @TenantId() tenantId: string,
    @Param('id') agentId: string,
    @Query() query: Query,
  ) {
    return presentDefinition(await this.outcomes.definition(tenantId, agentId, query));
  }

  @Get('agents/:id/outcome/versions')
  @ApiOperation({ summary: "Every version of the agent's outcome definition, newest first" })
  async versions(@TenantId() tenantId: string, @Param('id') agentId: string) {
    const versions = await this.outcomes.versions(tenantId, agentId);
    return { data: versions.map(presentDefinition) };
  }

  @Get('sessions/:id/outcome')
  @ApiOperation({
    summary: "A session's latest outcome, with every outcome it had (`history`, oldest first)",
  })
  async sessionOutcome(@TenantId() tenantId: string, @Param('id') sessionId: string) {
    const { latest, history } = await this.outcomes.sessionOutcome(tenantId, sessionId);
    return { ...presentOutcome(latest), history: history.map(presentHistoryItem) };
  }

  @Get('outcomes')
  @ApiOperation({ summary: 'List outcomes, newest graded first' })
  @ApiQuery({ name: 'agentId', required: false })
  @ApiQuery({ name: 'result', required: false, enum: OUTCOME_RESULTS })
  @ApiCursorPage()
  async list(@TenantId() tenantId: string, @Query() query: Query) {
    return presentPage(
      await this.outcomes.list(tenantId, query),
      presentOutcome,
      (o) => o.outcomeId,
    );
  }

  @Post('outcomes/regrade')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Grade sessions again under their agent’s current outcome definition',
    description:
      `Either \`sessionIds\` (1 to ${MAX_REGRADE_SESSIONS}; all must exist and have ended) or ` +
      `\`agentId\` with \`limit\` (default ${DEFAULT_REGRADE_LIMIT}) of its most recent ended ` +
      'sessions. Accepted once the grader’s commands are on Kafka; the grades follow.',
  })
  @ApiBody({ schema: openApiSchema(regradeBodySchema) })
  async regrade(@TenantId() tenantId: string, @Body() body: unknown) {
    return { type: 'regrade' as const, ...(await this.outcomes.regrade(tenantId, body)) };
  }
}
