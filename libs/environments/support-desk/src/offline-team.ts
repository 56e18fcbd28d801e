import type { SessionEventBody } from '@reverie/contracts';
import type { PlaybookRule } from '@reverie/playbooks-domain';
import {
  adviceBefore,
  adviceOnError,
  callFeatures,
  errorFeatures,
  reshapeValue,
  type CallRecord,
} from '@reverie/tool-rules';
import { SUPPORT_DESK_KEY } from './support.facts';
import type { RequestedCall, SupportTask } from './tasks';
import { TOOL_ARGS, type SupportRole, SupportWorld, type ToolOutcome } from './world';

/** The rules each role's playbook holds (a role without a playbook: none). */
export type TeamRules = Partial<Record<SupportRole, readonly PlaybookRule[]>>;

export interface TeamRun {
  /** What the agent reports over REST, in order (clientEventIds `e1`, `e2`, ...). */
  events: SessionEventBody[];
  /** How the agent ends its session: `completed` when it believes the ticket is done. */
  status: 'completed' | 'failed';
  reason: string;
}

/** An event before the team numbers it (one Omit per event type, so each keeps its fields). */
type Draft<E = SessionEventBody> = E extends SessionEventBody
  ? Omit<E, 'clientEventId' | 'step'> & { step?: number }
  : never;

/** Without a playbook the specialists retry a failed call this many times, at once. */
const NAIVE_RETRIES = 1;
/** Calls a specialist makes at most for one ticket (a guard against rules that loop). */
const MAX_CALLS = 20;

/**
 * The offline support team: a coordinator reads the ticket and delegates its request to the
 * specialist who owns the tools; the specialist makes the calls in the order the customer wrote
 * them, with the arguments as written; on a failure it retries once at once, then reports the
 * error and goes on with the rest of the request (the ticket then fails). That is its whole day-one competence. It obeys the rules of its role's
 * playbook (see @reverie/tool-rules): calling a tool first, reshaping an argument, waiting before
 * a retry, and records an `apply_rule` action each time a rule's condition matched.
 */
export class OfflineSupportTeam {
  private readonly events: SessionEventBody[] = [];
  private step = 0;
  private readonly world: SupportWorld;

  constructor(
    private readonly task: SupportTask,
    private readonly rules: TeamRules,
  ) {
    this.world = new SupportWorld(task);
  }

  /** Works the ticket; the tools answer from the simulated back office. */
  run(): TeamRun {
    const t = this.task;
    this.emit({
      type: 'observation',
      actor: 'environment',
      data: { [SUPPORT_DESK_KEY]: { task_id: t.id, family: t.family } },
    });
    this.emit({ type: 'message', role: 'user', content: t.ticket });
    const role = t.requested[0].role;
    this.emit({
      type: 'message',
      role: 'agent',
      actor: 'coordinator',
      to: role,
      content: `Please do: ${t.requested.map((r) => `${r.tool}(${JSON.stringify(r.args)})`).join(', then ')}`,
    });
    const result = new Specialist(role, this.rules[role] ?? [], t, this.world, (e) =>
      this.emit(e),
    ).work(t.requested);
    this.emit({
      type: 'message',
      role: 'agent',
      actor: role,
      to: 'coordinator',
      content: result.ok ? 'done' : `failed: ${result.reason}`,
    });
    if (!result.ok) {
      this.emit({
        type: 'message',
        role: 'assistant',
        actor: 'coordinator',
        content: `Escalated to a person: ${result.reason}`,
      });
      return { events: this.events, status: 'failed', reason: result.reason };
    }
    const coordinator = new Specialist(
      'coordinator',
      this.rules.coordinator ?? [],
      t,
      this.world,
      (e) => this.emit(e),
    );
    const closing = coordinator.work([
      {
        role: 'coordinator',
        tool: 'notify_customer',
        args: { customer_id: t.customerId, message: 'Your request is done.' },
      },
      { role: 'coordinator', tool: 'close_ticket', args: { ticket_id: t.id } },
    ]);
    this.emit({
      type: 'message',
      role: 'assistant',
      actor: 'coordinator',
      content: closing.ok ? 'Resolved and closed.' : `Resolved, but ${closing.reason}`,
    });
    return closing.ok
      ? { events: this.events, status: 'completed', reason: 'resolved' }
      : { events: this.events, status: 'failed', reason: closing.reason };
  }

  private emit(event: Draft): void {
    // A tool's result shares its call's step: "the step where it went wrong" is one decision.
    const step = event.step ?? (event.type === 'tool_result' ? this.step - 1 : this.step++);
    this.events.push({
      ...event,
      clientEventId: `e${this.events.length + 1}`,
      step,
    } as SessionEventBody);
  }
}

type Emit = (event: Draft) => void;

/** One role working through its calls, obeying its rules. */
class Specialist {
  private readonly done: CallRecord[] = [];
  private calls = 0;

  constructor(
    private readonly role: string,
    private readonly rules: readonly PlaybookRule[],
    private readonly task: SupportTask,
    private readonly world: SupportWorld,
    private readonly emit: Emit,
  ) {}

  work(requested: readonly RequestedCall[]): { ok: true } | { ok: false; reason: string } {
    const plan: CallRecord[] = requested.map((r) => this.record(r.tool, { ...r.args }));
    let failure: string | null = null;
    while (plan.length) {
      if (this.calls >= MAX_CALLS) return { ok: false, reason: `gave up after ${MAX_CALLS} calls` };
      const next = plan[0];
      const advice = adviceBefore(
        this.rules,
        callFeatures([...this.done, ...plan], this.done.length),
      );
      this.applied(advice.entryIds);
      const first = advice.callFirst.find(
        (tool) => !this.done.some((c) => c.ok && c.tool === tool),
      );
      if (first) {
        const planned = plan.findIndex((c) => c.tool === first);
        const call =
          planned > 0
            ? plan.splice(planned, 1)[0]
            : this.record(first, this.argsFor(first, next.args));
        plan.unshift(call);
        continue;
      }
      for (const [arg, shape] of advice.reshape) {
        const v = next.args[arg];
        const reshaped = typeof v === 'string' ? reshapeValue(v, shape) : null;
        if (reshaped !== null) next.args[arg] = reshaped;
      }
      plan.shift();
      const outcome = this.callWithRetries(next, plan);
      if (!outcome.ok) {
        const { code, message } = outcome.output.error;
        this.emit({
          type: 'error',
          actor: this.role,
          code,
          message: `${next.tool} failed: ${message}`,
        });
        // Best effort: the error is reported and the rest of the request goes on.
        failure ??= `${next.tool}: ${code} ${message}`;
      }
    }
    return failure ? { ok: false, reason: failure } : { ok: true };
  }

  private callWithRetries(call: CallRecord, plan: readonly CallRecord[]): ToolOutcome {
    let outcome = this.call(call, 0);
    let retries = 0;
    while (!outcome.ok) {
      const features = errorFeatures([...this.done, ...plan], this.done.length - 1);
      const advice = adviceOnError(this.rules, features);
      this.applied(advice.entryIds);
      const limit = advice.waitMs === null ? NAIVE_RETRIES : advice.maxRetries;
      if (retries >= limit || this.calls >= MAX_CALLS) return outcome;
      retries++;
      const waited = advice.waitMs ?? 0;
      if (waited > 0) {
        this.emit({ type: 'action', actor: this.role, name: 'wait', params: { ms: waited } });
        this.world.wait(waited);
      }
      outcome = this.call({ ...call, args: { ...call.args } }, waited);
    }
    return outcome;
  }

  private call(call: CallRecord, waitedMs: number): ToolOutcome {
    this.calls++;
    const id = `${this.role}-${this.calls}`;
    this.emit({
      type: 'tool_call',
      actor: this.role,
      toolCallId: id,
      name: call.tool,
      input: call.args,
    });
    const outcome = this.world.call(call.tool, call.args);
    this.emit({
      type: 'tool_result',
      actor: this.role,
      toolCallId: id,
      output: outcome.output,
      isError: !outcome.ok,
    });
    const error = outcome.ok ? null : outcome.output.error;
    this.done.push({
      ...call,
      ok: outcome.ok,
      errorCode: error?.code ?? null,
      retryAfterMs: error?.retry_after_ms ?? null,
      waitedMs,
    });
    return outcome;
  }

  private applied(entryIds: readonly string[]): void {
    for (const entryId of entryIds)
      this.emit({
        type: 'action',
        actor: this.role,
        name: 'apply_rule',
        params: { entry_id: entryId },
      });
  }

  private record(tool: string, args: Record<string, unknown>): CallRecord {
    return {
      tool,
      actor: this.role,
      args,
      ok: false,
      errorCode: null,
      retryAfterMs: null,
      waitedMs: 0,
      step: null,
    };
  }

  /** Arguments for a tool the ticket did not ask for, from the entities at hand. */
  private argsFor(tool: string, from: Record<string, unknown>): Record<string, unknown> {
    const known: Record<string, unknown> = {
      customer_id: this.task.customerId,
      ticket_id: this.task.id,
      ...from,
    };
    return Object.fromEntries((TOOL_ARGS[tool] ?? []).map((a) => [a, known[a]]));
  }
}
