import { Controller, Get, Injectable, Param, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DreamingControlRepository, DreamRepository } from '@reverie/dreaming-data-access';
import { cronOf, dayStart, scheduleOutlook } from '@reverie/dreaming-domain';
import { AgentReader } from '@reverie/sessions-data-access/readers';
import { ApiKeyGuard, iso, notFound, TenantId } from '@reverie/http';

/**
 * An agent's dreaming as the scheduler sees it now: paused or not (and by which switch), the
 * schedule with its latest and next slot (computed by the scheduler's own `scheduleOutlook`), the
 * token budget and what the agent's dreams created since local midnight have spent.
 */
@Injectable()
export class AgentDreamingService {
  constructor(
    private readonly agents: AgentReader,
    private readonly controls: DreamingControlRepository,
    private readonly dreams: DreamRepository,
  ) {}

  async get(tenantId: string, agentId: string, now = new Date()) {
    const agent = await this.agents.dreaming(tenantId, agentId);
    // Another tenant's agent is as unknown as one that does not exist.
    if (!agent)
      throw notFound(
        `agent "${agentId}" not found; check the id, or create an agent with POST /v1/agents`,
      );
    const settings = agent.dreaming;
    const [pause, last, spent] = await Promise.all([
      this.controls.state(tenantId, agentId),
      this.dreams.lastScheduled(tenantId, agentId),
      this.dreams.tokensSince(tenantId, agentId, dayStart(now, settings.timezone)),
    ]);
    let cron: string | null = null;
    let outlook: ReturnType<typeof scheduleOutlook> | null = null;
    let scheduleError: string | null = null;
    try {
      cron = cronOf(settings);
      outlook = scheduleOutlook(settings, last ? new Date(last.createdAt) : null, now);
    } catch (err) {
      // Settings stored past validation: say so rather than fail the whole read.
      scheduleError = (err as Error).message;
    }
    const perDay = settings.budget?.tokensPerDay ?? null;
    return {
      type: 'agent_dreaming' as const,
      agent_id: agentId,
      enabled: settings.enabled,
      paused: pause.paused,
      paused_by: pause.scope,
      pause_reason: pause.reason,
      publish: settings.publish,
      schedule: {
        frequency: settings.frequency,
        cron,
        timezone: settings.timezone,
        window: settings.window ?? null,
        last_slot: iso(outlook?.slot),
        next_slot: iso(outlook?.next),
        due: outlook?.due ?? false,
        not_due_reason: outlook && !outlook.due ? outlook.reason : null,
        error: scheduleError ?? settings.lastScheduleError?.message ?? null,
      },
      last_scheduled_dream_at: iso(last?.createdAt),
      budget: {
        tokens_per_day: perDay,
        tokens_per_dream: settings.budget?.tokensPerDream ?? null,
        day_started_at: iso(dayStart(now, settings.timezone)),
        tokens_spent_today: spent,
        tokens_left_today: perDay === null ? null : Math.max(0, perDay - spent),
      },
      as_of: iso(now),
    };
  }
}

@ApiTags('dreams')
@ApiSecurity('api-key')
@UseGuards(ApiKeyGuard)
@Controller('v1/agents/:id/dreaming')
export class AgentDreamingController {
  constructor(private readonly dreaming: AgentDreamingService) {}

  @Get()
  @ApiOperation({
    summary: "An agent's dreaming now: paused, schedule with its next slot, budget spent today",
    description:
      '`paused_by` is `agent` or `tenant` (the kill switch that holds, PUT /v1/dreaming/pause). ' +
      '`schedule.last_slot` and `schedule.next_slot` come from the scheduler’s own computation; ' +
      '`schedule.due` says the last slot still waits for its dream (it starts at the next tick ' +
      'unless paused, out of budget or with no new session). `budget.tokens_spent_today` adds ' +
      'up the tokens of the dreams created since local midnight in the agent’s time zone. ' +
      'An agent of another tenant is a 404.',
  })
  get(@TenantId() tenantId: string, @Param('id') agentId: string) {
    return this.dreaming.get(tenantId, agentId);
  }
}
