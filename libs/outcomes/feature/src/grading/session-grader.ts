import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OutcomeSignal, SessionEventBody } from '@reverie/contracts';
import { findEnvironment } from '@reverie/environments';
import { createProvider, type ModelProvider } from '@reverie/models';
import {
  OutcomeDefinitionRepository,
  OutcomeRepository,
  type OutcomeRecord,
} from '@reverie/outcomes-data-access';
import { gradeSession, type OutcomeDefinition, type SessionInfo } from '@reverie/outcomes-domain';
import {
  eventsComplete,
  SessionReader,
  type SessionView,
} from '@reverie/sessions-data-access/readers';
import { OUTCOME_GRADER_OPTIONS, type OutcomeGraderOptions } from '../outcome-grader.options';
import { ModelJudge } from './model-judge';
import { TriageLabels } from './triage-labels';

/** Which attempt of which session to grade; a regrade names the request it answers. */
export interface GradeRequest {
  tenantId: string;
  agentId: string;
  sessionId: string;
  /** Null: the attempt the session is on (a regrade). */
  iteration: number | null;
  regradeRequestId?: string;
}

export type GradeAttempt =
  | { kind: 'graded'; outcome: OutcomeRecord }
  /** Graded before (a redelivery): the stored verdict, to announce again. */
  | { kind: 'already_graded'; outcome: OutcomeRecord }
  | { kind: 'no_definition' }
  /** The gateway has not stored the session's end yet: try again later. */
  | { kind: 'not_ready'; reason: string };

/**
 * Grades one ended attempt of a session: reads the session, its events of that attempt and its
 * feedback (the gateway's collections, read-only), the agent's current outcome definition, the
 * labels of a triage case, and scores every criterion (a judge model for `judge` criteria); stores
 * the verdict under an id derived from (session, attempt, definition version[, regrade request]),
 * so a redelivered event finds it instead of grading (and paying a judge) twice.
 */
@Injectable()
export class SessionGrader {
  private readonly labels: TriageLabels;
  private readonly judge: ModelJudge;

  constructor(
    private readonly reader: SessionReader,
    private readonly definitions: OutcomeDefinitionRepository,
    private readonly outcomes: OutcomeRepository,
    @Inject(OUTCOME_GRADER_OPTIONS) options: OutcomeGraderOptions,
  ) {
    this.labels = new TriageLabels(options.datasetsDir);
    const providerFor = (model?: {
      provider: 'builtin' | 'anthropic';
      model?: string;
      maxTokens?: number;
    }): ModelProvider =>
      createProvider(model ?? { provider: 'anthropic' }, { anthropic: options.anthropic });
    this.judge = new ModelJudge(providerFor, {
      provider: options.anthropic ? 'anthropic' : 'builtin',
      model: options.judgeModel,
    });
  }

  async grade(request: GradeRequest, at: Date): Promise<GradeAttempt> {
    const { tenantId, sessionId } = request;
    const session = await this.reader.session(tenantId, sessionId);
    if (!session) return { kind: 'not_ready', reason: `session ${sessionId} is not stored yet` };
    const current = session.iteration ?? 1;
    const iteration = request.iteration ?? current;
    if (current < iteration || (current === iteration && session.status === 'running'))
      return {
        kind: 'not_ready',
        reason: `the end of attempt ${iteration} of session ${sessionId} is not stored yet (the session is ${session.status} on attempt ${current})`,
      };
    if (current === iteration && !eventsComplete(session, iteration, at))
      return {
        kind: 'not_ready',
        reason: `session ${sessionId} has ended, but the events sent before its end are not all stored yet`,
      };

    const definition = await this.definitions.latest(tenantId, session.agentId);
    if (!definition) return { kind: 'no_definition' };
    const outcomeId = outcomeIdOf(request, iteration, definition.version);
    if (!request.regradeRequestId) {
      const previous = await this.outcomes.findById(tenantId, outcomeId);
      if (previous) return { kind: 'already_graded', outcome: previous };
    }

    const [stored, feedback, labels] = await Promise.all([
      this.reader.events(tenantId, sessionId),
      this.reader.feedbackOf(tenantId, session),
      this.labelsOf(session),
    ]);
    const events = stored
      .map((e) => e.body as SessionEventBody)
      .filter((e) => (e.iteration ?? 1) === iteration);
    const grade = await gradeSession({
      definition: definition.definition as OutcomeDefinition,
      definitionVersion: definition.version,
      events,
      session: infoOf(session, iteration),
      iteration,
      labels,
      judge: this.judge,
    });
    const signals: OutcomeSignal[] = [
      ...grade.signals,
      ...feedback.map((f) => ({
        kind: 'feedback' as const,
        step: null,
        detail: `${f.rating}${f.comment ? `: ${f.comment}` : ''}${f.eventId ? ` (on event ${f.eventId})` : ''}`,
      })),
    ];
    const outcome: OutcomeRecord = {
      _id: outcomeId,
      tenantId,
      agentId: session.agentId,
      sessionId,
      iteration,
      definitionVersion: definition.version,
      maxIterations: (definition.definition as OutcomeDefinition).maxIterations,
      result: grade.result,
      score: grade.score,
      criteria: grade.criteria,
      failedCriteria: grade.failedCriteria,
      summary: grade.summary,
      judgeUsage: grade.judgeUsage,
      signals: signals.slice(0, 200),
      regrade: Boolean(request.regradeRequestId),
      gradedAt: at,
    };
    await this.outcomes.record(outcome);
    return { kind: 'graded', outcome };
  }

  private async labelsOf(session: SessionView) {
    const grading = findEnvironment(session.run?.environment)?.grading;
    const key = session.run && grading?.labelsKey ? grading.labelsKey(session.run.task) : null;
    return key !== null ? this.labels.get(key) : null;
  }
}

/** What the rubric needs to know about the attempt: how it ended and in which environment. */
function infoOf(session: SessionView, iteration: number): SessionInfo {
  // An earlier attempt than the current one ended completed: the grader sent it back.
  const status = (session.iteration ?? 1) === iteration ? session.status : 'completed';
  return {
    status: status as SessionInfo['status'],
    // A client's own session names none: the definition's environment (or what its events show)
    // decides, so a support-desk agent reporting over REST is graded on support-desk facts.
    ...(session.run?.environment ? { environment: session.run.environment } : {}),
    ...(session.endReason ? { reason: session.endReason } : {}),
  };
}

function outcomeIdOf(request: GradeRequest, iteration: number, version: number): string {
  const key = [
    request.tenantId,
    request.sessionId,
    iteration,
    version,
    request.regradeRequestId ?? '',
  ].join('\u0000');
  return `out_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}
