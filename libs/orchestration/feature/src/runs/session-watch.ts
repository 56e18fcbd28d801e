import { Inject, Injectable, Logger } from '@nestjs/common';
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

/**
 * Watches the session of each run under way, so that a session its client ends while it runs
 * stops its run: every `sessionWatchMs` it reads the session's status (by `_id` and tenant, one
 * indexed read), and once `stopReason` gives a reason it aborts the run's signal, which aborts the
 * run's model call in flight and refuses the next one and the next publish. A read that fails is
 * tried again at the next tick; the run goes on meanwhile.
 */
@Injectable()
export class SessionWatch {
  private readonly logger = new Logger(SessionWatch.name);

  constructor(
    @Inject(SessionReader) private readonly sessions: Pick<SessionReader, 'session'>,
    @Inject(ORCHESTRATION_OPTIONS)
    private readonly options: Pick<OrchestrationOptions, 'sessionWatchMs'>,
  ) {}

  watch(ref: { tenantId: string; sessionId: string }, iteration: number): RunWatch {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const next = () => {
      if (stopped) return;
      timer = setTimeout(check, this.options.sessionWatchMs);
      timer.unref();
    };
    const check = async () => {
      try {
        const reason = stopReason(
          await this.sessions.session(ref.tenantId, ref.sessionId),
          iteration,
        );
        if (reason && !stopped) return controller.abort(new SessionEndedWhileRunning(reason));
      } catch (err) {
        this.logger.warn(
          `could not read session ${ref.sessionId} to see whether it ended (${(err as Error).message}); trying again`,
        );
      }
      next();
    };
    next();
    return {
      signal: controller.signal,
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }
}
