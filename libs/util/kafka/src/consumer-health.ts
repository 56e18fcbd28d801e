/**
 * - `starting`: connecting and joining the group for the first time.
 * - `running`: in the group, consuming.
 * - `restarting`: it crashed; a new consumer is being started (with back-off) until one joins.
 * - `stopped`: the service is shutting down.
 */
export type ConsumerState = 'starting' | 'running' | 'restarting' | 'stopped';

export interface ConsumerStatus {
  groupId: string;
  topics: string[];
  state: ConsumerState;
  /** When it entered this state (ISO 8601). */
  since: string;
  /** Times it was restarted after a crash since the service started. */
  restarts: number;
  /** Why it last crashed or last gave up on a batch, if it did. */
  lastError: string | null;
  /** A batch being retried right now (a dependency down, a handler failing), if any. */
  retrying: { topic: string; partition: number; attempt: number; reason: string } | null;
}

/** A handler call in progress, for the liveness check. */
interface HandlerCall {
  groupId: string;
  topic: string;
  partition: number;
  /** How long it may go without returning or heartbeating before it counts as stalled. */
  stallMs: number;
  /** When it started or last heartbeated (epoch ms). */
  progressAt: number;
}

/**
 * The state of this process's Kafka consumers, for readiness: a service whose consumer is not
 * running (it crashed and is restarting) is not ready; and for liveness, whose handler calls are
 * stalled (see `stalled`). One instance per process, shared by the
 * transport that writes it and the health indicator that reads it (`KafkaModule` provides it).
 */
export class ConsumerHealth {
  private readonly consumers = new Map<string, ConsumerStatus>();
  private readonly handlerCalls = new Map<number, HandlerCall>();
  private nextCall = 0;

  /** Every consumer of this process, as of now. */
  snapshot(): ConsumerStatus[] {
    return [...this.consumers.values()].map((s) => ({ ...s }));
  }

  /** True when every consumer of this process is running (or it has none). */
  isReady(): boolean {
    return [...this.consumers.values()].every((s) => s.state === 'running');
  }

  /** Why the consumers are not ready, as one line (null when they are). */
  problem(): string | null {
    const down = [...this.consumers.values()].filter((s) => s.state !== 'running');
    if (down.length === 0) return null;
    return down
      .map(
        (s) =>
          `consumer group ${s.groupId} is ${s.state} since ${s.since}${s.lastError ? ` (${s.lastError})` : ''}`,
      )
      .join('; ');
  }

  /** Called by the transport. */
  setState(groupId: string, topics: string[], state: ConsumerState, error?: string): void {
    const current = this.consumers.get(groupId);
    const restarted = current?.state === 'restarting' && state === 'running';
    this.consumers.set(groupId, {
      groupId,
      topics,
      state,
      since: current?.state === state ? current.since : new Date().toISOString(),
      restarts: (current?.restarts ?? 0) + (restarted ? 1 : 0),
      lastError: error ?? current?.lastError ?? null,
      retrying: state === 'running' ? (current?.retrying ?? null) : null,
    });
  }

  /**
   * Called by the transport as it hands a batch to a handler: the call counts as stalled when
   * neither it returns nor it calls `heartbeat()` within `stallMs`. Returns the call's token.
   */
  handlerStarted(call: Omit<HandlerCall, 'progressAt'>, now = Date.now()): number {
    const token = this.nextCall++;
    this.handlerCalls.set(token, { ...call, progressAt: now });
    return token;
  }

  /** The handler called `heartbeat()`: it is working, not stuck. */
  handlerProgress(token: number, now = Date.now()): void {
    const call = this.handlerCalls.get(token);
    if (call) call.progressAt = now;
  }

  /** Whether the call has made no progress for longer than its `stallMs` (false once ended). */
  isStalled(token: number, now = Date.now()): boolean {
    const call = this.handlerCalls.get(token);
    return !!call && now - call.progressAt > call.stallMs;
  }

  handlerEnded(token: number): void {
    this.handlerCalls.delete(token);
  }

  /**
   * For liveness: a handler call that has made no progress for longer than its `stallMs` (a write
   * that never returns, a deadlock) holds its partition for good, and only a restart of the
   * process frees it. One line naming the longest-stalled call, or null.
   */
  stalled(now = Date.now()): string | null {
    const stuck = [...this.handlerCalls.values()]
      .filter((c) => now - c.progressAt > c.stallMs)
      .sort((a, b) => a.progressAt - b.progressAt);
    if (!stuck.length) return null;
    const [c] = stuck;
    return `the ${c.groupId} handler of ${c.topic}[${c.partition}] has made no progress for ${Math.round((now - c.progressAt) / 1000)} s (limit ${Math.round(c.stallMs / 1000)} s)${stuck.length > 1 ? `; ${stuck.length - 1} more stalled` : ''}`;
  }

  /** Called by the transport while it retries a batch, and with null once it moved on. */
  setRetrying(groupId: string, retrying: ConsumerStatus['retrying']): void {
    const current = this.consumers.get(groupId);
    if (!current) return;
    current.retrying = retrying;
    if (retrying) current.lastError = retrying.reason;
  }
}
