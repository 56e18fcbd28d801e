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

/**
 * The state of this process's Kafka consumers, for readiness: a service whose consumer is not
 * running (it crashed and is restarting) is not ready. One instance per process, shared by the
 * transport that writes it and the health indicator that reads it (`KafkaModule` provides it).
 */
export class ConsumerHealth {
  private readonly consumers = new Map<string, ConsumerStatus>();

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

  /** Called by the transport while it retries a batch, and with null once it moved on. */
  setRetrying(groupId: string, retrying: ConsumerStatus['retrying']): void {
    const current = this.consumers.get(groupId);
    if (!current) return;
    current.retrying = retrying;
    if (retrying) current.lastError = retrying.reason;
  }
}
