import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBody,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { DREAM_STATUSES } from '@reverie/dreaming-domain';
import { renderDreamReport, type DreamReport } from '@reverie/dreaming-domain';
import { ApiCursorPage, ApiKeyGuard, openApiSchema, presentPage, TenantId } from '@reverie/http';
import { presentTrial } from '@reverie/playbooks-data-access';
import type { Request, Response } from 'express';
import {
  createDreamSchema,
  DEFAULT_DREAM_MAX_SESSIONS,
  MAX_DREAM_SESSIONS,
} from './dream-requests';
import { presentDream } from './dreams.presenter';
import { DreamsService } from './dreams.service';

type Query = Record<string, unknown>;

/**
 * Dreams: an agent reviews its past sessions and corrects its playbook. Shaped like Anthropic's
 * Dreams API, with the agent's playbook in place of a memory store; the dreamer service runs them.
 */
@ApiTags('dreams')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/dreams')
export class DreamsController {
  constructor(private readonly dreams: DreamsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: "Start a dream: review the agent's sessions and correct its playbook",
    description:
      `\`inputs: [{type: "sessions", session_ids}]\` (1 to ${MAX_DREAM_SESSIONS}) names the ` +
      'sessions; without it the dream reviews the sessions that ended since the agent’s last ' +
      `completed dream, at most \`max_sessions\` (default ${DEFAULT_DREAM_MAX_SESSIONS}). ` +
      'The dream is `pending` until a dreamer takes it. An agent has at most one unfinished ' +
      'dream: another one is a 409 naming it. The agent’s `dreaming.publish` decides whether ' +
      'the corrected playbook is applied or proposed.',
  })
  @ApiBody({ schema: openApiSchema(createDreamSchema) })
  async create(@TenantId() tenantId: string, @Body() body: unknown) {
    return presentDream(await this.dreams.create(tenantId, body));
  }

  @Get()
  @ApiOperation({ summary: 'List dreams, newest first (archived ones only when asked for)' })
  @ApiQuery({ name: 'agent_id', required: false })
  @ApiQuery({ name: 'status', required: false, enum: DREAM_STATUSES })
  @ApiQuery({
    name: 'created_after',
    required: false,
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'created_before',
    required: false,
    schema: { type: 'string', format: 'date-time' },
  })
  @ApiQuery({
    name: 'include_archived',
    required: false,
    schema: { type: 'boolean', default: false },
  })
  @ApiCursorPage()
  async list(@TenantId() tenantId: string, @Query() query: Query) {
    return presentPage(await this.dreams.list(tenantId, query), presentDream, (d) => d.id);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A dream: its status, stage and progress, usage and outputs' })
  async get(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentDream(await this.dreams.get(tenantId, id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a dream',
    description:
      'A pending dream is `canceled` at once. A running one gets `cancel_requested_at` and stops ' +
      'at its next heartbeat (it stays `running` until then): a stage boundary, a progress ' +
      'report inside a stage (about every second while it searches), or a lease renewal (every ' +
      'third of DREAM_LEASE_MS) while it waits on a model call, which is then aborted; one that ' +
      'has begun publishing finishes publishing first. An ended dream is a 409.',
  })
  async cancel(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentDream(await this.dreams.cancel(tenantId, id));
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Archive an ended dream: hidden from GET /v1/dreams unless include_archived=true',
  })
  async archive(@TenantId() tenantId: string, @Param('id') id: string) {
    return presentDream(await this.dreams.archive(tenantId, id));
  }

  @Get(':id/report')
  @ApiOperation({
    summary: "The dream's correction report",
    description:
      'JSON by default; `?format=markdown` or `Accept: text/markdown` downloads it as Markdown. ' +
      'A 409 while the dream has not written one.',
  })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'markdown'] })
  @ApiProduces('application/json', 'text/markdown')
  async report(
    @TenantId() tenantId: string,
    @Param('id') id: string,
    @Query() query: Query,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const acceptsMarkdown = req.accepts(['application/json', 'text/markdown']) === 'text/markdown';
    const { dream, markdown, trials } = await this.dreams.report(
      tenantId,
      id,
      query,
      acceptsMarkdown,
    );
    if (!markdown)
      return {
        type: 'dream_report' as const,
        dream_id: dream._id,
        report: dream.report,
        // Present when the dream put candidates on a canary trial: each as it stands now.
        ...(trials.length ? { trials: trials.map(presentTrial) } : {}),
      };
    res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${dream._id}-report.md"`);
    // The dreamer stores the report it rendered from: the dreaming domain's DreamReport.
    return (
      renderDreamReport(dream.report as unknown as DreamReport) +
      trialsMarkdown(trials.map(presentTrial))
    );
  }
}

/** The dream's canary trials as they stand, for the Markdown report. */
function trialsMarkdown(trials: ReturnType<typeof presentTrial>[]): string {
  if (!trials.length) return '';
  const arm = (a: { sessions: number; graded: number; succeeded: number }) =>
    `${a.succeeded} of ${a.graded} graded satisfied (${a.sessions} served)`;
  const lines = trials.map(
    (t) =>
      `- ${t.id}: **${t.status}**; ${t.playbooks.map((p) => `${p.role ?? 'agent'} v${p.candidate_version} against v${p.control_version}`).join(', ')}, ${Math.round(t.share * 100)} % of sessions; candidate ${arm(t.arms.candidate)}, control ${arm(t.arms.control)}${t.decision ? `; ${t.decision.reason}` : ''}`,
  );
  return `\n\n## Canary trials\n\n${lines.join('\n')}\n`;
}
