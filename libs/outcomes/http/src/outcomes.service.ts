import { Injectable } from '@nestjs/common';
import {
  idSchema,
  OUTCOME_RESULTS,
  newId,
  SCHEMA_VERSION,
  TOPICS,
  type RegradeRequested,
} from '@reverie/contracts';
import { ApiError, conflict, invalidRequest, notFound, parseOrThrow } from '@reverie/http';
import { EventPublisher } from '@reverie/kafka';
import {
  OutcomeDefinitionRepository,
  OutcomeRepository,
  type OutcomeDefinitionRecord,
  type OutcomePage,
  type OutcomeRecord,
} from '@reverie/outcomes-data-access';
import { OutcomeError, parseOutcomeDefinition } from '@reverie/outcomes-domain';
import { AgentReader, SessionReader, type SessionRef } from '@reverie/sessions-data-access/readers';
import { z } from 'zod';

/** Most sessions one regrade request may name, and the default for an agent's recent ones. */
export const MAX_REGRADE_SESSIONS = 1_000;
export const DEFAULT_REGRADE_LIMIT = 100;

export const definitionQuerySchema = z.strictObject({
  /** One version instead of the latest. */
  version: z.coerce.number().int().min(1).optional(),
});

export const listOutcomesQuerySchema = z.strictObject({
  agentId: idSchema.optional(),
  result: z
    .enum(OUTCOME_RESULTS, { error: `must be one of ${OUTCOME_RESULTS.join(', ')}` })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Cursor: the last outcome id of the previous page. */
  after_id: idSchema.optional(),
});

/** Either named sessions or an agent's most recent ended ones; never both. */
export const regradeBodySchema = z
  .strictObject({
    sessionIds: z.array(idSchema).min(1).max(MAX_REGRADE_SESSIONS).optional(),
    agentId: idSchema.optional(),
    /** With `agentId`: how many of its most recent ended sessions. */
    limit: z.number().int().min(1).max(MAX_REGRADE_SESSIONS).optional(),
  })
  .superRefine((body, ctx) => {
    if ((body.sessionIds === undefined) === (body.agentId === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'send exactly one of sessionIds (a list of session ids) or agentId (with an optional limit)',
      });
    else if (body.sessionIds !== undefined && body.limit !== undefined)
      ctx.addIssue({ code: 'custom', path: ['limit'], message: 'goes only with agentId' });
  });

/** A session's latest outcome and every outcome it had, oldest first. */
export interface SessionOutcome {
  latest: OutcomeRecord;
  history: OutcomeRecord[];
}

/** What a regrade request sent: one `outcome.regrade_requested` per session. */
export interface RegradeRequest {
  requestId: string;
  sessionIds: string[];
}

/** At most this many session ids are named in an error message (its details list them all). */
const MAX_IDS_IN_MESSAGE = 20;

/**
 * Outcome definitions (rubrics) per agent, the grader's outcomes, and regrade requests. The
 * gateway is the only writer of `outcome_definitions`; it only reads `outcomes`.
 */
@Injectable()
export class OutcomesService {
  constructor(
    private readonly agents: AgentReader,
    private readonly definitions: OutcomeDefinitionRepository,
    private readonly outcomes: OutcomeRepository,
    private readonly sessionReader: SessionReader,
    private readonly publisher: EventPublisher,
  ) {}

  /** Validates and stores the agent's definition as its next version (or finds it unchanged). */
  async define(
    tenantId: string,
    agentId: string,
    body: unknown,
    author: string,
  ): Promise<OutcomeDefinitionRecord> {
    await this.requireAgent(tenantId, agentId);
    const definition = parseDefinition(body);
    const { record } = await this.definitions.create(
      tenantId,
      agentId,
      definition,
      author,
      new Date(),
    );
    return record;
  }

  /** The latest version, or the one `?version=` names. */
  async definition(
    tenantId: string,
    agentId: string,
    query: unknown,
  ): Promise<OutcomeDefinitionRecord> {
    const { version } = parseOrThrow(definitionQuerySchema, query, 'query', 'query');
    await this.requireAgent(tenantId, agentId);
    if (version !== undefined) {
      const found = await this.definitions.version(tenantId, agentId, version);
      if (!found)
        throw notFound(
          `agent "${agentId}" has no outcome definition version ${version}; list them with GET /v1/agents/${agentId}/outcome/versions`,
        );
      return found;
    }
    const latest = await this.definitions.latest(tenantId, agentId);
    if (!latest)
      throw notFound(
        `agent "${agentId}" has no outcome definition; define one with PUT /v1/agents/${agentId}/outcome`,
      );
    return latest;
  }

  /** Every version, newest first (none: an empty list). */
  async versions(tenantId: string, agentId: string): Promise<OutcomeDefinitionRecord[]> {
    await this.requireAgent(tenantId, agentId);
    return this.definitions.list(tenantId, agentId);
  }

  async sessionOutcome(tenantId: string, sessionId: string): Promise<SessionOutcome> {
    const session = await this.sessionReader.session(tenantId, sessionId);
    if (!session) throw notFound(`session "${sessionId}" not found`);
    const history = await this.outcomes.forSession(tenantId, sessionId);
    const latest = history.at(-1);
    if (!latest) throw notFound(`session "${sessionId}" has not been graded yet`);
    return { latest, history };
  }

  list(tenantId: string, query: unknown): Promise<OutcomePage> {
    const q = parseOrThrow(listOutcomesQuerySchema, query, 'query', 'query');
    return this.outcomes.list({
      tenantId,
      agentId: q.agentId,
      result: q.result,
      limit: q.limit,
      afterId: q.after_id,
    });
  }

  /**
   * Asks the grader to grade sessions again: the named ones (all must exist and have ended, or
   * nothing is sent) or the agent's most recent ended ones. One command per session, all with
   * the same request id, accepted once Kafka has them.
   */
  async regrade(tenantId: string, body: unknown): Promise<RegradeRequest> {
    const input = parseOrThrow(regradeBodySchema, body, 'regrade request');
    const sessions = input.agentId
      ? await this.recentEnded(tenantId, input.agentId, input.limit ?? DEFAULT_REGRADE_LIMIT)
      : await this.namedSessions(tenantId, input.sessionIds ?? []);
    const requestId = newId('rgr');
    const occurredAt = new Date().toISOString();
    const commands: RegradeRequested[] = sessions.map((s) => ({
      id: newId('msg'),
      type: 'outcome.regrade_requested',
      tenantId,
      agentId: s.agentId,
      sessionId: s._id,
      occurredAt,
      schemaVersion: SCHEMA_VERSION,
      payload: { requestId },
    }));
    await this.publisher.publish(TOPICS.outcomeCommands, commands);
    return { requestId, sessionIds: sessions.map((s) => s._id) };
  }

  private async recentEnded(tenantId: string, agentId: string, limit: number) {
    await this.requireAgent(tenantId, agentId);
    return this.sessionReader.recentEnded(tenantId, agentId, limit);
  }

  /** The named sessions in the order given (each once); 404 for unknown, 409 for running ones. */
  private async namedSessions(tenantId: string, ids: string[]): Promise<SessionRef[]> {
    const unique = [...new Set(ids)];
    const found = new Map(
      (await this.sessionReader.sessionsByIds(tenantId, unique)).map((s) => [s._id, s]),
    );
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) {
      throw new ApiError(
        'not_found_error',
        404,
        `${missing.length} of the sessions ${missing.length === 1 ? 'was' : 'were'} not found: ${listIds(missing)}; nothing was regraded`,
        missing.map((id) => ({
          path: `sessionIds[${ids.indexOf(id)}]`,
          message: `session "${id}" not found`,
        })),
      );
    }
    const running = unique.filter((id) => found.get(id)?.status === 'running');
    if (running.length) {
      throw conflict(
        `${running.length} of the sessions ${running.length === 1 ? 'is' : 'are'} still running: ${listIds(running)}; a session is graded when it ends, so nothing was regraded`,
      );
    }
    return unique.map((id) => found.get(id) as SessionRef);
  }

  private async requireAgent(tenantId: string, agentId: string): Promise<void> {
    if (!(await this.agents.exists(tenantId, agentId)))
      throw notFound(`agent "${agentId}" not found; create one with POST /v1/agents`);
  }
}

/** The outcome domain's verdict as a 400 listing every problem at its path. */
function parseDefinition(body: unknown) {
  try {
    return parseOutcomeDefinition(body);
  } catch (err) {
    if (!(err instanceof OutcomeError) || err.code !== 'invalid_outcome') throw err;
    const details = err.problems.map((p) => ({ path: p.path || '(body)', message: p.message }));
    const [first] = details;
    if (!first) throw invalidRequest(`invalid outcome definition: ${err.message}`);
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
    throw invalidRequest(
      `invalid outcome definition: ${first.path} ${first.message}${more}`,
      details,
    );
  }
}

function listIds(ids: string[]): string {
  const shown = ids.slice(0, MAX_IDS_IN_MESSAGE).join(', ');
  return ids.length > MAX_IDS_IN_MESSAGE
    ? `${shown} and ${ids.length - MAX_IDS_IN_MESSAGE} more`
    : shown;
}
