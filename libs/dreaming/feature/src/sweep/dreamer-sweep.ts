import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';
import { DreamRunner } from '../pipeline/dream-runner.service';
import { TrialAnnouncementSweep } from '../trials/trial-announcements.sweep';
import type { SweepStep, SweepStepOutcome } from './sweep-step';

/**
 * The dreamer's one sweep schedule: every `sweepMs`, one pass calls each step in turn (dreams to
 * resume or fail and dream ends still to announce, then canary-trial announcements still to
 * publish). A step that throws is logged and the pass goes on with the next; a pass still running
 * when the timer fires again (Kafka slow to refuse) is not overlapped, the tick is skipped. Tests
 * call `sweep(now)`, or a step's own `sweep(now)`.
 */
@Injectable()
export class DreamerSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('DreamerSweep');
  private readonly steps: readonly SweepStep[];
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    runner: DreamRunner,
    trials: TrialAnnouncementSweep,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
  ) {
    // In this order, as the two timers ran before there was one: dreams first.
    this.steps = [runner, trials];
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass over every step; null when a pass is still running (nothing was done). */
  async sweep(now = new Date()): Promise<SweepStepOutcome[] | null> {
    if (this.sweeping) return null;
    this.sweeping = true;
    try {
      const outcomes: SweepStepOutcome[] = [];
      for (const step of this.steps) {
        try {
          outcomes.push({ step: step.sweepName, result: await step.sweep(now) });
        } catch (err) {
          const error = err instanceof Error ? err : new Error(String(err));
          this.logger.warn(`${step.sweepName} sweep failed: ${error.message}`);
          outcomes.push({ step: step.sweepName, error });
        }
      }
      return outcomes;
    } finally {
      this.sweeping = false;
    }
  }
}
