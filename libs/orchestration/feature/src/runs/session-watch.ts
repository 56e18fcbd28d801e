import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SessionReader } from '@reverie/sessions-data-access/readers';
import { ORCHESTRATION_OPTIONS, type OrchestrationOptions } from '../orchestration.options';
import { stopReason } from './session-gate';

/** The reason a run's signal fires with: its session ended while it ran. */
export class SessionEndedWhileRunning extends Error {
  override readonly name = 'SessionEndedWhileRunning';
}

/** One run's watch on its session: `signal` fires once the session's attempt has ended. */
export interface RunWatch {
  readonly signal: AbortSignal;
  /** Ends the watch (the run is over): no more reads. */
  stop(): void;
}

/** A run under way, as the watch keeps it. */
interface Watched {
  tenantId: string;
  sessionId: string;
  iteration: number;
  controller: AbortController;
}

/** Sessions asked for in one read: a `$in` of this many ids stays a small request. */
export const WATCH_READ_IDS = 500;

/**
 * Watches the session of each run under way, so that a session its client ends while it runs
 * stops its run. Every `sessionWatchMs`, one tick reads the status of every watched session: one
 * read by `_id $in` per tenant (and per `WATCH_READ_IDS` sessions), however many runs are under
 * way. Once `stopReason` gives a reason for a run, it aborts that run's signal, which aborts the
 * run's model call in flight and refuses the next one and the next publish. A read that fails
 * leaves its runs going until the next tick, and does not hold up other tenants' reads; the next
 * tick starts once this one is done, so slow reads never pile up.
 */
@Injectable()
export class SessionWatch implements OnModuleDestroy {
  private readonly logger = new Logger(SessionWatch.name);
  private readonly watched = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    @Inject(SessionReader)
    private readonly sessions: Pick<SessionReader, 'statusesByIds'>,
    @Inject(ORCHESTRATION_OPTIONS)
    private readonly options: Pick<OrchestrationOptions, 'sessionWatchMs'>,
  ) {}

  watch(ref: { tenantId: string; sessionId: string }, iteration: number): RunWatch {
    const run: Watched = { ...ref, iteration, controller: new AbortController() };
    this.watched.add(run);
    this.schedule();
    return { signal: run.controller.signal, stop: () => this.watched.delete(run) };
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  /** The next tick, unless one is due or running, or no run is watched. */
  private schedule(): void {
    if (this.timer || this.ticking || this.watched.size === 0) return;
    this.timer = setTimeout(() => void this.tick(), this.options.sessionWatchMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.ticking = true;
    try {
      await Promise.all(this.reads().map((runs) => this.check(runs)));
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }

  /** The watched runs in groups of one tenant and at most `WATCH_READ_IDS` sessions. */
  private reads(): Watched[][] {
    const byTenant = new Map<string, Watched[]>();
    for (const run of this.watched) {
      const runs = byTenant.get(run.tenantId);
      if (runs) runs.push(run);
      else byTenant.set(run.tenantId, [run]);
    }
    return [...byTenant.values()].flatMap((runs) =>
      Array.from({ length: Math.ceil(runs.length / WATCH_READ_IDS) }, (_, i) =>
        runs.slice(i * WATCH_READ_IDS, (i + 1) * WATCH_READ_IDS),
      ),
    );
  }

  /** Reads the sessions of `runs` (one tenant's) and stops each run whose session ended. */
  private async check(runs: Watched[]): Promise<void> {
    const { tenantId } = runs[0];
    const ids = [...new Set(runs.map((r) => r.sessionId))];
    try {
      const found = new Map(
        (await this.sessions.statusesByIds(tenantId, ids)).map((s) => [s._id, s]),
      );
      for (const run of runs) {
        const reason = stopReason(found.get(run.sessionId) ?? null, run.iteration);
        // A run that ended while the read was out is no longer watched: nothing to stop.
        if (!reason || !this.watched.delete(run)) continue;
        run.controller.abort(new SessionEndedWhileRunning(reason));
      }
    } catch (err) {
      this.logger.warn(
        `could not read ${ids.length} session(s) of tenant ${tenantId} to see whether they ended (${(err as Error).message}); trying again`,
      );
    }
  }
}
