import type { SessionEventBody } from '@reverie/contracts';
import type { TeamSpec } from './team-spec';

type Body<T extends SessionEventBody['type']> = Omit<
  Extract<SessionEventBody, { type: T }>,
  'type' | 'clientEventId' | 'actor' | 'step'
>;

/**
 * Records what a team does as session events, each attributed to the role that did it and the
 * decision step it belongs to, so a later reader can point at "the navigator's decision at step
 * 41". Event ids are deterministic (`s41.navigator.action.0`): a re-run of the same session
 * produces the same ids, and the gateway stores nothing twice.
 */
export class TeamLog {
  private events: SessionEventBody[] = [];
  private readonly counters = new Map<string, number>();

  constructor(private readonly team: TeamSpec) {}

  /** A message from one role to another (or to the whole team with `to: 'team'`). */
  message(step: number, from: string, to: string, content: string): void {
    this.assertRole(from);
    if (to !== 'team') this.assertRole(to);
    this.push(step, from, 'message', { role: 'agent', content, to });
  }

  observation(step: number, role: string, data: Record<string, unknown>): void {
    this.push(step, role, 'observation', { data });
  }

  action(step: number, role: string, name: string, params?: Record<string, unknown>): void {
    this.push(step, role, 'action', { name, ...(params ? { params } : {}) });
  }

  toolCall(step: number, role: string, call: Body<'tool_call'>): void {
    this.push(step, role, 'tool_call', call);
  }

  toolResult(step: number, role: string, result: Body<'tool_result'>): void {
    this.push(step, role, 'tool_result', result);
  }

  modelCall(step: number, role: string, call: Body<'model_call'>): void {
    this.push(step, role, 'model_call', call);
  }

  error(step: number, role: string, message: string, code?: string): void {
    this.push(step, role, 'error', { message, ...(code ? { code } : {}) });
  }

  /** The events recorded since the last drain, in order. */
  drain(): SessionEventBody[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  get pending(): number {
    return this.events.length;
  }

  private push<T extends SessionEventBody['type']>(
    step: number,
    role: string,
    type: T,
    body: Body<T>,
  ): void {
    this.assertRole(role);
    if (!Number.isInteger(step) || step < 0)
      throw new Error(`a team event needs a non-negative integer step, got ${step}`);
    const key = `s${step}.${role}.${type}`;
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    this.events.push({
      ...body,
      type,
      clientEventId: `${key}.${n}`,
      actor: role,
      step,
    } as unknown as SessionEventBody);
  }

  private assertRole(role: string): void {
    // The environment (simulator, log reader) reports too, under its own name.
    if (role !== ENVIRONMENT_ACTOR && !this.team.roles.includes(role))
      throw new Error(`the ${this.team.name} team has no role "${role}"`);
  }
}

/** The actor of events the environment itself records (telemetry, results). */
export const ENVIRONMENT_ACTOR = 'environment';
