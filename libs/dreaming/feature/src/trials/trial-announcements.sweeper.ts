import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { PlaybookTrialWriter } from '@reverie/playbooks-data-access';
import { DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';

/**
 * Publishes the canary trials' `playbook.trial_started` / `playbook.trial_ended` that Kafka
 * refused when they happened (the gateway's kill switch ends trials too: its refused ends are
 * published here). Every `sweepMs`, announcements at least that old.
 */
@Injectable()
export class TrialAnnouncementSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PlaybookTrials');
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;

  constructor(
    private readonly trials: PlaybookTrialWriter,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.options.sweepMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; a pass still running (Kafka slow to refuse) is not overlapped. */
  async sweep(now = new Date()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const published = await this.trials.announcePending(
        new Date(now.getTime() - this.options.sweepMs),
      );
      if (published)
        this.logger.log(`published ${published} trial announcement(s) Kafka had refused`);
      return published;
    } catch (err) {
      this.logger.warn(`trial announcement sweep failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }
}
