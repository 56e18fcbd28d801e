import { PlaybookTrialWriter, PlaybookVersionRepository } from '@reverie/playbooks-data-access';
import { Inject, Injectable } from '@nestjs/common';
import {
  SCHEMA_VERSION,
  TOPICS,
  type FeedbackSubmitted,
  type RunRequested,
  type SessionStarted,
} from '@reverie/contracts';
import {
  conflict,
  type FieldProblem,
  fieldProblems,
  invalidRequest,
  notFound,
  parseOrThrow,
  tooLarge,
} from '@reverie/http';
import {
  encodeSessionEvents,
  EventPublisher,
  KafkaUnavailableError,
  publishSessionRecords,
} from '@reverie/kafka';
import {
  AgentRepository,
  FeedbackRepository,
  SessionEventRepository,
  SessionRepository,
  type FeedbackRecord,
  type NewManagedSession,
  type SessionEventRecord,
  type SessionRecord,
} from '@reverie/sessions-data-access';
import {
  apiEventBodySchema,
  appendEventsSchema,
  createSessionSchema,
  endSessionSchema,
  feedbackSchema,
  IDEMPOTENT_ROUTES,
  listEventsQuerySchema,
  listFeedbackQuerySchema,
  MAX_FEEDBACK_PER_SESSION,
  listSessionsQuerySchema,
  newId,
  reopensOnRetry,
  runModelsOf,
  taskTitle,
} from '@reverie/sessions-domain';
import { IdempotentRequests, mayStillApply, runNotAcknowledged } from './idempotent-requests';
import { ManagedRunsService } from './managed-runs.service';
import {
  servedAgain,
  servedRef,
  startingPlaybooks,
  type ServedPlaybook,
  type ServedRef,
} from './served-playbooks';
import { endedMessage } from './session-ends';
import { SESSIONS_HTTP_OPTIONS, type SessionsHttpOptions } from './sessions-http.options';

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

/**
 * What a request under an `Idempotency-Key` plans before it acts, stored with the key (as JSON):
 * a retry carries out the same plan, so it answers the same id and re-sends the same messages.
 */
type ExternalSessionPlan = { started: SessionStarted; served: ServedRef[] };
type ManagedSessionPlan = { session: NewManagedSession; at: string; command: RunRequested };
type SessionPlan = ExternalSessionPlan | ManagedSessionPlan;
type FeedbackPlan = { message: FeedbackSubmitted };

/**
 * The session API. Writes go to Kafka first (keyed by session) and are acknowledged only once the
 * broker has them; the ingest consumer is what stores events. Session documents are also written
 * here so a client can read a session, and be told it is closed, as soon as it gets a 2xx.
 */
@Injectable()
export class SessionsService {
  constructor(
    private readonly playbookVersions: PlaybookVersionRepository,
    private readonly trials: PlaybookTrialWriter,
    private readonly agents: AgentRepository,
    private readonly sessions: SessionRepository,
    private readonly events: SessionEventRepository,
    private readonly feedbackRepo: FeedbackRepository,
    private readonly publisher: EventPublisher,
    private readonly runs: ManagedRunsService,
    @Inject(SESSIONS_HTTP_OPTIONS) private readonly options: SessionsHttpOptions,
    private readonly idempotency: IdempotentRequests,
  ) {}

  /**
   * With an `Idempotency-Key` (`key`, checked), a retry of the same request answers the same
   * session and re-sends the same message: the session is stored once even when Kafka delivers
   * the first attempt's message late (it answered 503 meanwhile).
   */
  async create(
    tenantId: string,
    body: unknown,
    key?: string,
  ): Promise<SessionRecord & { served?: ServedPlaybook[] }> {
    const input = parseOrThrow(createSessionSchema, body, 'session');
    const agent = await this.agents.findById(tenantId, input.agentId);
    if (!agent)
      throw notFound(`agent "${input.agentId}" not found; create one with POST /v1/agents`);
    const request = { tenantId, route: IDEMPOTENT_ROUTES.createSession, key, request: { body } };
    // The first attempt's text, rendered as it planned (a retry renders the versions it names).
    let served: ServedPlaybook[] | undefined;
    const { plan, replayed } = await this.idempotency.resolve<SessionPlan>(request, async () => {
      const sessionId = newId('ses');
      const now = new Date();
      if (input.run) {
        // Managed: stored by the gateway, started (and announced) by an orchestrator.
        const session = {
          _id: sessionId,
          agentId: agent._id,
          title: input.title ?? taskTitle(input.run),
          metadata: input.metadata,
          run: input.run,
        };
        const [command] = this.runs.commandsFor(
          tenantId,
          agent._id,
          runModelsOf(agent),
          [session],
          now,
        );
        return { resourceId: sessionId, plan: { session, at: now.toISOString(), command } };
      }
      // The versions (per role for a team) the session runs with, and their text for the
      // response. A running canary trial of the agent assigns the session an arm (by its id).
      const trial = await this.trials.assign(tenantId, agent._id, sessionId);
      const starting = await startingPlaybooks(this.playbookVersions, tenantId, agent, trial);
      served = starting.served;
      const started: SessionStarted = {
        id: newId('msg'),
        type: 'session.started',
        tenantId,
        agentId: agent._id,
        sessionId,
        occurredAt: now.toISOString(),
        schemaVersion: SCHEMA_VERSION,
        payload: {
          source: 'external',
          title: input.title,
          metadata: input.metadata,
          playbook: starting.playbook,
          ...(starting.rolePlaybooks ? { rolePlaybooks: starting.rolePlaybooks } : {}),
          ...(starting.trial ? { trial: starting.trial } : {}),
        },
      };
      return { resourceId: sessionId, plan: { started, served: starting.served.map(servedRef) } };
    });
    const keyed = key !== undefined;
    if ('session' in plan) return this.createManaged(tenantId, plan, keyed, replayed);
    try {
      await this.publisher.publish(TOPICS.sessionEvents, [plan.started]);
    } catch (err) {
      throw mayStillApply(err, keyed);
    }
    // Idempotent (an upsert of what the started event says): a retry, or the ingest, changes
    // nothing the first write did.
    await this.sessions.upsertStarted(plan.started);
    served ??= await servedAgain(this.playbookVersions, tenantId, agent._id, plan.served);
    return { ...(await this.getSession(tenantId, plan.started.sessionId)), served };
  }

  /**
   * Stores a managed session and sends its run command. When the command is not acknowledged,
   * the session is canceled (`RUN_NOT_ACKNOWLEDGED`, by `send`) and the answer is a 503. A retry
   * under the same key (`replayed`) finds the session stored, or stores it; reopens it when it was
   * canceled for that reason (one of racing retries does) and sends the same command again, which
   * the orchestrator runs once; a session that has ended otherwise (it ran, or its client ended
   * it) is answered as it is, nothing sent.
   */
  private async createManaged(
    tenantId: string,
    plan: ManagedSessionPlan,
    keyed: boolean,
    replayed: boolean,
  ): Promise<SessionRecord> {
    const at = new Date(plan.at);
    const id = plan.session._id;
    try {
      if (!keyed) await this.runs.store(tenantId, [plan.session], at);
      else await this.runs.storeOnce(tenantId, plan.session, at);
      if (replayed) {
        const current = await this.runs.reopenUnsent(tenantId, id);
        if (current && reopensOnRetry(current))
          // Reopened by a racing retry whose command was not acknowledged either.
          throw new KafkaUnavailableError(TOPICS.runCommands, 'a retry racing this one failed');
        if (current && current.status !== 'running') return current;
      }
      await this.runs.send(tenantId, [plan.command]);
    } catch (err) {
      throw runNotAcknowledged(err, id, keyed);
    }
    return this.getSession(tenantId, id);
  }

  async getSession(tenantId: string, id: string): Promise<SessionRecord> {
    const session = await this.sessions.findById(tenantId, id);
    if (!session) throw notFound(`session "${id}" not found`);
    return session;
  }

  async list(tenantId: string, query: unknown): Promise<Page<SessionRecord>> {
    const q = parseOrThrow(listSessionsQuerySchema, query, 'query', 'query');
    const rows = await this.sessions.list(tenantId, q);
    return { data: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }

  async listEvents(
    tenantId: string,
    sessionId: string,
    query: unknown,
  ): Promise<Page<SessionEventRecord>> {
    const q = parseOrThrow(listEventsQuerySchema, query, 'query', 'query');
    await this.getSession(tenantId, sessionId);
    // Bounded by count and by bytes (EVENTS_PAGE_BYTES): has_more says when either cut it short.
    const page = await this.events.apiPage(tenantId, sessionId, q.after_seq, q.limit);
    return { data: page.events, hasMore: page.hasMore };
  }

  /** Validates the batch, then publishes it; returns the id each event is stored under. */
  async append(tenantId: string, sessionId: string, body: unknown) {
    const { events } = parseOrThrow(appendEventsSchema, body, 'event batch');
    const max = this.options.maxEventsPerRequest;
    if (events.length > max) {
      throw tooLarge(`batch has ${events.length} events; send at most ${max} per request`);
    }
    const problems: FieldProblem[] = [];
    const seen = new Set<string>();
    const parsed = events.flatMap((raw, i) => {
      const result = apiEventBodySchema.safeParse(raw);
      if (!result.success) {
        problems.push(...fieldProblems(result.error, `events[${i}]`));
        return [];
      }
      // A clientEventId already in this batch is the same event, stored once (the first), as a
      // re-send in a later request is: not sent twice, and not counted twice in `accepted`.
      if (seen.has(result.data.clientEventId)) return [];
      seen.add(result.data.clientEventId);
      // Serialised once: measured here, then reused as the body of the Kafka message.
      const json = JSON.stringify(result.data);
      const bytes = Buffer.byteLength(json);
      if (bytes > this.options.maxEventBytes) {
        problems.push({
          path: `events[${i}]`,
          message: `is ${bytes} bytes; an event may be at most ${this.options.maxEventBytes}`,
        });
        return [];
      }
      return [{ event: result.data, json, bytes }];
    });
    if (problems.length) {
      throw invalidRequest(
        `invalid event batch: ${problems[0].path} ${problems[0].message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}; nothing was accepted`,
        problems.slice(0, 50),
      );
    }
    const session = await this.getSession(tenantId, sessionId);
    if (session.status !== 'running') {
      throw conflict(
        `session "${sessionId}" has ended (${session.status}); events can only be appended to a running session`,
      );
    }
    const receivedAt = new Date().toISOString();
    const to = { tenantId, agentId: session.agentId, sessionId };
    // Valid by construction: each body passed its schema above and the request body's storability
    // check (parseOrThrow), and the envelope's ids are the stored session's. So the messages are
    // published as encoded here, not checked and serialised again (the consumer validates them).
    // Several Kafka requests when the batch is larger than the broker takes at once (one session:
    // one partition, in order). Should a later one fail, the client's retry re-sends the whole
    // batch and the events already sent keep their ids, so nothing is stored twice.
    // With `batch`, one `session.events_appended` record per request (unless it is larger than a
    // record may be): producing and consuming cost per record, not per event.
    const { records, ids } = encodeSessionEvents(
      to,
      receivedAt,
      parsed,
      this.options.eventMessages,
      () => newId('msg'),
    );
    await publishSessionRecords(this.publisher, records);
    return {
      sessionId,
      accepted: ids.length,
      events: parsed.map((p, i) => ({ clientEventId: p.event.clientEventId, id: ids[i] })),
    };
  }

  async end(tenantId: string, sessionId: string, body: unknown): Promise<SessionRecord> {
    const input = parseOrThrow(endSessionSchema, body, 'end request');
    const session = await this.getSession(tenantId, sessionId);
    if (session.status !== 'running') {
      throw conflict(`session "${sessionId}" has already ended (${session.status})`);
    }
    const now = new Date();
    await this.publisher.publish(TOPICS.sessionEvents, [
      endedMessage(tenantId, session, input.status, input.reason, now),
    ]);
    const ended = await this.sessions.end(
      tenantId,
      sessionId,
      input.status,
      input.reason,
      now,
      session.iteration ?? 1,
    );
    if (ended) return ended;
    // The ingest consumer may have applied our own ended event before this update ran: that is
    // this request's end (same status, same time), not a competing one.
    const current = await this.getSession(tenantId, sessionId);
    if (current.status === input.status && current.endedAt?.getTime() === now.getTime()) {
      return current;
    }
    throw conflict(`session "${sessionId}" has already ended (${current.status})`);
  }

  async listFeedback(
    tenantId: string,
    sessionId: string,
    query: unknown,
  ): Promise<Page<FeedbackRecord>> {
    const q = parseOrThrow(listFeedbackQuerySchema, query, 'query', 'query');
    await this.getSession(tenantId, sessionId);
    const rows = await this.feedbackRepo.page(tenantId, sessionId, q.limit, q.after_id);
    return { data: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }

  /**
   * With an `Idempotency-Key` (`key`, checked), a retry of the same request answers the same
   * feedback id and re-sends the same message, which the ingest stores once.
   */
  async feedback(tenantId: string, sessionId: string, body: unknown, key?: string) {
    const input = parseOrThrow(feedbackSchema, body, 'feedback');
    const session = await this.getSession(tenantId, sessionId);
    const request = {
      tenantId,
      route: IDEMPOTENT_ROUTES.feedback,
      key,
      request: { sessionId, body },
    };
    const { plan } = await this.idempotency.resolve<FeedbackPlan>(request, async () => {
      // Counted from what is stored: feedback still on its way through Kafka is not, so requests
      // racing each other can pass the cap by as many as are in flight; it bounds a session's
      // feedback, it is no exact quota. A retry under its key was counted the first time.
      const stored = await this.feedbackRepo.count(tenantId, sessionId, MAX_FEEDBACK_PER_SESSION);
      if (stored >= MAX_FEEDBACK_PER_SESSION) {
        throw conflict(
          `session "${sessionId}" already has ${MAX_FEEDBACK_PER_SESSION} pieces of feedback, the most one session keeps`,
        );
      }
      const feedbackId = newId('fbk');
      const message: FeedbackSubmitted = {
        id: feedbackId,
        type: 'session.feedback_submitted',
        tenantId,
        agentId: session.agentId,
        sessionId,
        occurredAt: new Date().toISOString(),
        schemaVersion: SCHEMA_VERSION,
        payload: { feedbackId, ...input },
      };
      return { resourceId: feedbackId, plan: { message } };
    });
    try {
      await this.publisher.publish(TOPICS.sessionEvents, [plan.message]);
    } catch (err) {
      throw mayStillApply(err, key !== undefined);
    }
    return { id: plan.message.payload.feedbackId, type: 'feedback' as const, sessionId, ...input };
  }
}
