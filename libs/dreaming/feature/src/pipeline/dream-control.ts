import {
  addUsage,
  totalTokens,
  ZERO_USAGE,
  type DreamReport,
  type DreamStage,
  type DreamStatus,
  type DreamUsage,
  type StageRecord,
} from '@reverie/dreaming-domain';
import type { DreamRecord, DreamRepository } from '@reverie/dreaming-data-access';

/**
 * Why a dream stopped before its end: a person canceled it, another replica took it over, it
 * spent its token budget, its replica is shutting down (handed back), or its idle window closed.
 */
export class DreamStopped extends Error {
  constructor(
    readonly reason:
      'canceled' | 'lease_lost' | 'budget_exceeded' | 'handed_back' | 'window_closed',
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

/** What a report says beyond its stages, usage and notes, as the pipeline finds it. */
export type DreamFindings = Partial<
  Pick<
    DreamReport,
    | 'environment'
    | 'sessionsReviewed'
    | 'failedSessions'
    | 'patterns'
    | 'localisations'
    | 'changes'
    | 'validation'
    | 'objective'
    | 'test'
    | 'publication'
  >
>;

/**
 * What the pipeline's stages need of whoever runs them: run a stage (recording what it did and
 * spent), keep what the dream found and its notes. DreamControl in the dreamer service; the same
 * class with an always-held lease offline.
 */
export interface StageControl {
  readonly notes: string[];
  readonly simulations: number;
  /** The stages run so far, with what each did and spent. */
  readonly stages: readonly StageRecord[];
  /** Tokens left of the dream's budget, as of the last stage's end; null: no budget. */
  readonly tokensLeft: number | null;
  stage<T>(stage: DreamStage, work: StageBody<T>): Promise<T>;
  found(findings: DreamFindings): void;
}

/**
 * A stage's work: it reports progress as it goes (each report is a heartbeat, where the dream may
 * stop), and hands `signal` to what it waits on for long (a model call): the signal fires when
 * the dream must stop part-way (canceled, taken over, handed back, its window closed).
 */
export type StageBody<T> = (
  progress: (done: number, total: number, message?: string) => Promise<void>,
  signal: AbortSignal,
) => Promise<StageOutcome<T>>;

/** What bounds a dream besides its lease; every field optional. */
export interface DreamLimits {
  /**
   * Tokens the dream may spend; checked at every stage boundary (and the reflect stage sends no
   * model call that could cost more than is left). Absent or null: no limit.
   */
  tokenBudget?: number | null;
  /** Also run on every lease renewal (the runner renews the dream's global slot). */
  onBeat?: () => Promise<void>;
  /**
   * When the dream must have ended (a scheduled dream's idle window closes): checked at every
   * stage boundary and progress heartbeat until it begins publishing. Absent or null: never.
   */
  runUntil?: Date | null;
  /** The clock `runUntil` is read against, in epoch ms (the dreamer's clock). Default: system. */
  now?: () => number;
  /**
   * What earlier runs of the same dream spent (a replica that died or handed it back): counted in
   * its usage and simulations, against its token budget too. Absent: nothing.
   */
  carried?: { usage: DreamUsage; simulations: number };
  /**
   * Tokens runs that lost the dream's lease spent after their last heartbeat (its stranded
   * counters, as the run found them): against its budget, but not in its usage (the API adds
   * them to it already). Absent: none.
   */
  stranded?: number;
}

/** The lease a DreamControl renews: the dream repository's, or an always-held one offline. */
export type DreamLease = Pick<DreamRepository, 'heartbeat'>;

/** A lease nobody else can take (offline dreams run in one process, and nothing cancels them). */
export const LOCAL_LEASE: DreamLease = {
  heartbeat: async () => ({ held: true, cancelRequested: false }),
};

/**
 * The running dream's hold on its document: each stage starts by renewing the lease and checking
 * for a cancel, reports progress as it goes (each report checks for a cancel too, so a dream
 * stops part-way through a stage), and leaves a stage record with what it did and spent. While a
 * stage waits on one long call, the lease's keep-alive renewals look for a cancel and fire the
 * stage's signal, which aborts the call. It also keeps what the dream has found so far, so a
 * dream that stops part-way still leaves a report of what it did.
 */
export class DreamControl implements StageControl {
  readonly stages: StageRecord[] = [];
  usage: DreamUsage = { ...ZERO_USAGE };
  simulations = 0;
  /** The stage running now (or the one the dream stopped before). */
  current: DreamStage | null = null;
  readonly findings: DreamFindings = {};
  readonly notes: string[] = [];
  private lastBeat = 0;
  /** Asked to stop at its next heartbeat, to be handed back (the replica is shutting down). */
  private handingBack = false;
  /** The publish stage has begun: from here on the dream runs to its end. */
  private publishing = false;
  /**
   * Why the dream must stop part-way, once something found out (a renewal saw a cancel or the
   * dream taken by another replica, the replica is handing it back, the window closed): the
   * stage's signal has fired, and the stage and every heartbeat from here on throw it.
   */
  private stopped: DreamStopped | null = null;
  private readonly abort = new AbortController();
  /** A stage's work is running (not between stages). */
  private inStage = false;
  /** The keep-alive renewal being written, if any (renewals never overlap). */
  private renewal: Promise<void> | null = null;
  /** The usage and simulations the dream's document holds, as of the last heartbeat it took. */
  private recorded: { usage: DreamUsage; simulations: number } = {
    usage: { ...ZERO_USAGE },
    simulations: 0,
  };

  constructor(
    private readonly repo: DreamLease,
    readonly dreamId: string,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly limits: DreamLimits = {},
  ) {
    if (limits.carried) {
      this.usage = addUsage(ZERO_USAGE, limits.carried.usage);
      this.simulations = limits.carried.simulations;
    }
    this.recorded = { usage: { ...this.usage }, simulations: this.simulations };
  }

  /**
   * What this run spent that the dream's document does not hold: since its last heartbeat. When
   * the lease is lost, the runner adds it to the dream's stranded counters.
   */
  unrecorded(): { usage: DreamUsage; simulations: number } {
    const usage = { ...ZERO_USAGE };
    for (const kind of Object.keys(usage) as (keyof DreamUsage)[])
      usage[kind] = Math.max(0, this.usage[kind] - this.recorded.usage[kind]);
    return { usage, simulations: Math.max(0, this.simulations - this.recorded.simulations) };
  }

  /** Writes the lease's renewal with what the dream has spent; false when it is no longer held. */
  private async heartbeat(
    patch: Parameters<DreamRepository['heartbeat']>[3] = {},
  ): Promise<{ held: boolean; cancelRequested: boolean }> {
    const spent = { usage: { ...this.usage }, simulations: this.simulations };
    const state = await this.repo.heartbeat(this.dreamId, this.owner, this.leaseMs, {
      ...patch,
      ...spent,
    });
    if (state.held) this.recorded = spent;
    return state;
  }

  get tokensLeft(): number | null {
    const budget = this.limits.tokenBudget ?? null;
    return budget === null ? null : Math.max(0, budget - this.spentAgainstBudget());
  }

  /** Tokens counted against the budget: this dream's usage and its lost runs' stranded spend. */
  private spentAgainstBudget(): number {
    return totalTokens(this.usage) + (this.limits.stranded ?? 0);
  }

  /** Whether the dream stopped part-way through its current stage (not before it began). */
  get stoppedInStage(): boolean {
    return this.inStage;
  }

  async stage<T>(stage: DreamStage, work: StageBody<T>): Promise<T> {
    this.stopIfDue();
    this.current = stage;
    if (stage === 'publish' || stage === 'report') this.publishing = true;
    await this.beat(
      { stage, progress: { stage, completed: 0, total: 0, message: 'started' } },
      true,
    );
    const stranded = this.limits.stranded ?? 0;
    const spent = this.spentAgainstBudget();
    const budget = this.limits.tokenBudget ?? null;
    if (budget !== null && spent >= budget)
      throw new DreamStopped(
        'budget_exceeded',
        `the dream spent ${spent} tokens${stranded ? ` (${stranded} of them in runs that lost its lease)` : ''} of its budget of ${budget}; stopped before the ${stage} stage`,
      );
    // Asked to be handed back (or out of its window) while that heartbeat was being written: no
    // work starts.
    this.stopIfDue();
    const startedAt = new Date();
    this.inStage = true;
    const result = await this.keptAlive(() =>
      work(
        (done, total, message) =>
          this.beat({ stage, progress: { stage, completed: done, total, message: message ?? '' } }),
        this.abort.signal,
      ),
    ).catch((err: unknown) => {
      // An aborted call fails with its own error: the reason the dream stopped is what counts.
      throw this.stopped ?? err;
    });
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
    // A stage that finished in spite of its signal (it caught the aborted call's error): its
    // spending counts, what it found does not.
    if (this.stopped) throw this.stopped;
    this.inStage = false;
    return result.value;
  }

  /**
   * Runs a stage's work while renewing the lease every third of it. A stage can wait longer than
   * the lease on one call without reporting progress (a model's answer, a long simulation), and
   * a lease that runs out mid-call lets another replica take the dream and run it again, or a
   * sweep fail it as interrupted. A renewal that finds the dream taken stops it at its next
   * heartbeat; one the store refuses is tried again at the next.
   */
  private async keptAlive<T>(work: () => Promise<T>): Promise<T> {
    const every = Math.max(1_000, Math.floor(this.leaseMs / 3));
    const timer = setInterval(() => this.renew(), every);
    timer.unref?.();
    try {
      return await work();
    } finally {
      clearInterval(timer);
      // A renewal still being written carries this stage's spending as it was before the stage
      // ended: it lands before the next heartbeat writes the new one, never after.
      await this.renewal;
    }
  }

  private renew(): void {
    if (this.renewal || this.stopped) return;
    // Being handed back: `handBack` says when the stage stops; meanwhile the lease is not renewed
    // (it runs out if the service closes first), unless it has begun publishing, which it
    // finishes.
    if (this.handingBack && !this.publishing) return;
    // Out of its idle window: it stops now (the stage's signal fires).
    if (this.haltIfDue()) return;
    this.renewal = (async () => {
      try {
        const state = await this.heartbeat();
        if (!state.held) return void this.halt(this.leaseLost());
        await this.limits.onBeat?.();
        if (state.cancelRequested && !this.publishing) this.halt(this.canceled());
      } catch {
        // The store did not answer: the next renewal or heartbeat tries again.
      } finally {
        this.renewal = null;
      }
    })();
  }

  /**
   * The replica is shutting down: the dream stops at its next heartbeat (a stage boundary, or
   * progress inside a stage) unless it has begun publishing, which it finishes. A stage waiting
   * on one call gets `graceMs` for it to answer (what it found is then kept, as at any stage's
   * end), then the call is aborted so the dream is handed back before the replica is gone.
   */
  handBack(graceMs = 0): void {
    this.handingBack = true;
    if (!this.inStage) return;
    if (graceMs <= 0) return void this.haltIfDue();
    setTimeout(() => this.haltIfDue(), graceMs).unref?.();
  }

  /** Halts the dream if it is due to stop (handed back, out of its window); the reason, or null. */
  private haltIfDue(): DreamStopped | null {
    const due = this.dueStop();
    return due ? this.halt(due) : null;
  }

  /** The dream must stop part-way: the stage's signal fires (aborting its call) with the reason. */
  private halt(reason: DreamStopped): DreamStopped {
    this.stopped ??= reason;
    if (!this.abort.signal.aborted) this.abort.abort(this.stopped);
    return this.stopped;
  }

  /**
   * Stops the dream, unless it has begun publishing, when its replica is shutting down or its
   * idle window has closed.
   */
  private stopIfDue(): void {
    const due = this.dueStop();
    if (due) throw due;
  }

  private dueStop(): DreamStopped | null {
    if (this.publishing) return null;
    if (this.handingBack)
      return new DreamStopped(
        'handed_back',
        `dream ${this.dreamId} stopped at the ${this.current ?? 'first'} stage to be handed back: its dreamer replica is shutting down`,
      );
    const until = this.limits.runUntil;
    if (until && (this.limits.now ?? Date.now)() >= until.getTime())
      return new DreamStopped(
        'window_closed',
        `its idle window closed at ${until.toISOString()} before it ended: stopped ${this.current ? `after the ${this.current} stage began` : 'before its first stage'}; the next slot of its schedule inside the window dreams again`,
      );
    return null;
  }

  /** Adds to what the dream found, for its report. */
  found(findings: DreamFindings): void {
    Object.assign(this.findings, findings);
  }

  /** The dream's report from what it has found and spent so far. */
  report(
    dream: Pick<DreamRecord, '_id' | 'agentId' | 'createdAt'>,
    status: DreamStatus,
    endedAt: Date | null,
  ): DreamReport {
    return {
      environment: 'none',
      sessionsReviewed: 0,
      failedSessions: 0,
      patterns: [],
      localisations: [],
      changes: [],
      validation: null,
      publication: null,
      ...this.findings,
      dreamId: dream._id,
      agentId: dream.agentId,
      status,
      stages: this.stages,
      usage: this.usage,
      simulations: this.simulations,
      notes: this.notes,
      createdAt: new Date(dream.createdAt).toISOString(),
      endedAt: endedAt?.toISOString() ?? null,
    };
  }

  private leaseLost(): DreamStopped {
    return new DreamStopped(
      'lease_lost',
      `dream ${this.dreamId} is no longer held by this replica`,
    );
  }

  private canceled(): DreamStopped {
    return new DreamStopped('canceled', `dream ${this.dreamId} was canceled`);
  }

  /**
   * Renews the lease with progress, and honours a cancel: at a stage boundary (`force`) always,
   * inside a stage unless the dream has begun publishing (which it finishes).
   */
  async beat(patch: Parameters<DreamRepository['heartbeat']>[3], force = false): Promise<void> {
    if (this.stopped) throw this.stopped;
    const due = this.haltIfDue();
    if (due) throw due;
    const now = Date.now();
    if (!force && now - this.lastBeat < 1_000) return;
    this.lastBeat = now;
    const state = await this.heartbeat(patch);
    if (!state.held) throw this.halt(this.leaseLost());
    await this.limits.onBeat?.();
    if (state.cancelRequested && (force || !this.publishing)) throw this.halt(this.canceled());
  }
}
