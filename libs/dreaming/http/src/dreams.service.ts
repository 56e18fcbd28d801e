import { Injectable, Logger } from '@nestjs/common';
import { newId, SCHEMA_VERSION, TOPICS, type DreamRequested } from '@reverie/contracts';
import {
  DreamingControlRepository,
  DreamRepository,
  PENDING_GRACE_MS,
  type DreamRecord,
} from '@reverie/dreaming-data-access';
import { isTerminal } from '@reverie/dreaming-domain';
import { conflict, notFound, parseOrThrow } from '@reverie/http';
import { PlaybookTrialReader, type TrialSummary } from '@reverie/playbooks-data-access';
import { EventPublisher } from '@reverie/kafka';
import { AgentReader } from '@reverie/sessions-data-access/readers';
import {
  createDreamSchema,
  dreamReportQuerySchema,
  listDreamsQuerySchema,
  toDreamSettings,
} from './dream-requests';

/** A dream with its stored report (the dreaming domain's DreamReport). */
export type ReportedDream = DreamRecord & { report: Record<string, unknown> };

/**
 * Dreams over HTTP: the gateway stores a dream `pending` and asks the dreamer to run it; it also
 * cancels (a pending one outright, a running one by request) and archives them. The dreamer is
 * the only writer of a dream once it runs.
 */
@Injectable()
export class DreamsService {
  private readonly logger = new Logger(DreamsService.name);

  constructor(
    private readonly agents: AgentReader,
    private readonly dreams: DreamRepository,
    private readonly publisher: EventPublisher,
    private readonly controls: DreamingControlRepository,
    private readonly trials: PlaybookTrialReader,
  ) {}

  /** Stores the dream (one unfinished dream per agent) and sends `dream.requested`. */
  async create(tenantId: string, body: unknown): Promise<DreamRecord> {
    const req = parseOrThrow(createDreamSchema, body, 'dream request');
    const agent = await this.agents.dreaming(tenantId, req.agent_id);
    if (!agent)
      throw notFound(`agent "${req.agent_id}" not found; create one with POST /v1/agents`);
    const pause = await this.controls.state(tenantId, agent._id);
    if (pause.paused)
      throw conflict(
        `dreaming is paused for ${pause.scope === 'tenant' ? 'this tenant' : `agent "${agent._id}"`}${pause.reason ? ` (${pause.reason})` : ''}; ` +
          `resume it with PUT /v1/dreaming/pause {"paused": false${pause.scope === 'agent' ? `, "agent_id": "${agent._id}"` : ''}}`,
      );
    const result = await this.dreams.create({
      _id: newId('drm'),
      tenantId,
      agentId: agent._id,
      ...toDreamSettings(req, agent.dreaming ?? {}),
      publish: agent.dreaming?.publish ?? 'propose',
      trigger: 'api',
      // The agent's per-dream token budget applies to dreams asked for too.
      tokenBudget: agent.dreaming?.budget?.tokensPerDream ?? null,
    });
    if (!result.created) {
      const { running } = result;
      throw conflict(
        `agent "${agent._id}" already has an unfinished dream ${running._id} (${describeState(running)}); ` +
          `an agent dreams one dream at a time: wait for it to end or cancel it with POST /v1/dreams/${running._id}/cancel`,
      );
    }
    await this.requestRun(result.dream);
    return result.dream;
  }

  list(tenantId: string, query: unknown) {
    const q = parseOrThrow(listDreamsQuerySchema, query, 'query', 'query');
    return this.dreams.list({
      tenantId,
      agentId: q.agent_id,
      status: q.status,
      createdAfter: q.created_after,
      createdBefore: q.created_before,
      includeArchived: q.include_archived,
      limit: q.limit,
      afterId: q.after_id,
    });
  }

  async get(tenantId: string, dreamId: string): Promise<DreamRecord> {
    const dream = await this.dreams.findById(tenantId, dreamId);
    if (!dream) throw notFound(`dream "${dreamId}" not found; list dreams with GET /v1/dreams`);
    return dream;
  }

  /**
   * A pending dream is canceled at once; a running one is asked to stop and does so at its next
   * heartbeat (it stays `running` until then). Asking twice changes nothing.
   */
  async cancel(tenantId: string, dreamId: string): Promise<DreamRecord> {
    const dream = await this.get(tenantId, dreamId);
    if (isTerminal(dream.status))
      throw conflict(
        `dream ${dreamId} already ended with status ${dream.status}; there is nothing to cancel`,
      );
    return (await this.dreams.cancel(tenantId, dreamId)) ?? dream;
  }

  /** Hides an ended dream from default listings (`include_archived=true` shows it). */
  async archive(tenantId: string, dreamId: string): Promise<DreamRecord> {
    const dream = await this.get(tenantId, dreamId);
    if (!isTerminal(dream.status))
      throw conflict(
        `dream ${dreamId} is ${dream.status}; only an ended dream can be archived: cancel it first ` +
          `with POST /v1/dreams/${dreamId}/cancel or wait for it to end`,
      );
    if (dream.archivedAt) return dream;
    return (await this.dreams.archive(tenantId, dreamId)) ?? dream;
  }

  /** The dream and its report, and whether it was asked for as Markdown. */
  async report(
    tenantId: string,
    dreamId: string,
    query: unknown,
    acceptsMarkdown: boolean,
  ): Promise<{ dream: ReportedDream; markdown: boolean; trials: TrialSummary[] }> {
    const { format } = parseOrThrow(dreamReportQuerySchema, query, 'query', 'query');
    const dream = await this.get(tenantId, dreamId);
    if (!dream.report) {
      throw conflict(
        isTerminal(dream.status)
          ? `dream ${dreamId} ended with status ${dream.status} without writing a report`
          : `dream ${dreamId} has no report yet (${describeState(dream)}); fetch it again once the dream has ended`,
      );
    }
    return {
      dream: dream as ReportedDream,
      markdown: format ? format === 'markdown' : acceptsMarkdown,
      // The follow-up: canary trials the dream's candidates are on, as they stand now.
      trials: await this.trials.ofDream(tenantId, dreamId),
    };
  }

  /**
   * Wakes a dreamer up. The stored dream is what counts: if Kafka is unavailable, a dreamer's sweep
   * picks the pending dream up once its grace period has passed, so the request still succeeds.
   */
  private async requestRun(dream: DreamRecord): Promise<void> {
    const command: DreamRequested = {
      id: newId('msg'),
      type: 'dream.requested',
      tenantId: dream.tenantId,
      agentId: dream.agentId,
      occurredAt: new Date().toISOString(),
      schemaVersion: SCHEMA_VERSION,
      payload: { dreamId: dream._id },
    };
    try {
      await this.publisher.publish(TOPICS.dreamCommands, [command]);
    } catch (err) {
      this.logger.warn(
        `dream ${dream._id} is stored but dream.requested was not sent (${
          err instanceof Error ? err.message : String(err)
        }); a dreamer's sweep will pick it up within ${PENDING_GRACE_MS / 1000} s`,
      );
    }
  }
}

/** `status running, stage reflect` / `status pending, not started yet`. */
function describeState(dream: DreamRecord): string {
  if (dream.status === 'pending') return 'status pending, not started yet';
  const cancel = dream.cancelRequestedAt ? ', cancel requested' : '';
  return `status ${dream.status}, stage ${dream.stage ?? 'starting'}${cancel}`;
}
