import {
  addUsage,
  totalTokens,
  ZERO_USAGE,
  type DreamStage,
  type DreamUsage,
  type StageRecord,
} from '@reverie/dreaming-domain';
import type { DreamRepository } from '@reverie/dreaming-data-access';

/** Why a dream stopped before its end: a person canceled it, or another replica took it over. */
export class DreamStopped extends Error {
  constructor(
    readonly reason: 'canceled' | 'lease_lost' | 'budget_exceeded',
    message: string,
  ) {
    super(message);
  }
}

export interface StageOutcome<T> {
  value: T;
  summary: string;
  simulations?: number;
  usage?: Partial<DreamUsage>;
}

/**
 * The running dream's hold on its document: each stage starts by renewing the lease and checking
 * for a cancel (so a dream stops at the next stage boundary), reports progress as it goes, and
 * leaves a stage record with what it did and spent.
 */
export class DreamControl {
  readonly stages: StageRecord[] = [];
  usage: DreamUsage = { ...ZERO_USAGE };
  simulations = 0;
  private lastBeat = 0;

  constructor(
    private readonly repo: DreamRepository,
    readonly dreamId: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    /** Tokens the dream may spend; checked at every stage boundary. Null: no limit. */
    private readonly tokenBudget: number | null = null,
  ) {}

  async stage<T>(
    stage: DreamStage,
    work: (
      progress: (done: number, total: number, message?: string) => Promise<void>,
    ) => Promise<StageOutcome<T>>,
  ): Promise<T> {
    await this.beat(
      { stage, progress: { stage, completed: 0, total: 0, message: 'started' } },
      true,
    );
    const spent = totalTokens(this.usage);
    if (this.tokenBudget !== null && spent >= this.tokenBudget)
      throw new DreamStopped(
        'budget_exceeded',
        `the dream spent ${spent} tokens of its budget of ${this.tokenBudget}; stopped before the ${stage} stage`,
      );
    const startedAt = new Date();
    const result = await work((done, total, message) =>
      this.beat({ stage, progress: { stage, completed: done, total, message: message ?? '' } }),
    );
    const usage = addUsage(ZERO_USAGE, result.usage ?? {});
    this.usage = addUsage(this.usage, usage);
    this.simulations += result.simulations ?? 0;
    this.stages.push({
      stage,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      summary: result.summary,
      simulations: result.simulations ?? 0,
      usage,
    });
    return result.value;
  }

  /** Renews the lease with progress; at a stage boundary (`force`) also honours a cancel. */
  async beat(patch: Parameters<DreamRepository['heartbeat']>[3], force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastBeat < 1_000) return;
    this.lastBeat = now;
    const state = await this.repo.heartbeat(this.dreamId, this.owner, this.leaseMs, {
      ...patch,
      usage: this.usage,
      simulations: this.simulations,
    });
    if (!state.held)
      throw new DreamStopped(
        'lease_lost',
        `dream ${this.dreamId} is no longer held by this replica`,
      );
    if (force && state.cancelRequested)
      throw new DreamStopped('canceled', `dream ${this.dreamId} was canceled`);
  }
}
