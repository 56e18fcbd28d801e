import { Inject, Injectable, Logger } from '@nestjs/common';
import { PlaybookTrialWriter } from '@reverie/playbooks-data-access';
import { DREAMER_OPTIONS, type DreamerOptions } from '../dreamer.options';
import type { SweepStep } from '../sweep/sweep-step';

/**
 * A step of the dreamer's sweep (`DreamerSweep`): publishes the canary trials'
 * `playbook.trial_started` / `playbook.trial_ended` that Kafka refused when they happened (the
 * gateway's kill switch ends trials too: its refused ends are published here), those at least a
 * sweep period (`sweepMs`) old.
 */
@Injectable()
export class TrialAnnouncementSweep implements SweepStep {
  readonly sweepName = 'trial announcement';
  private readonly logger = new Logger('PlaybookTrials');

  constructor(
    private readonly trials: PlaybookTrialWriter,
    @Inject(DREAMER_OPTIONS) private readonly options: DreamerOptions,
  ) {}

  /** How many announcements it published. */
  async sweep(now: Date): Promise<number> {
    const published = await this.trials.announcePending(
      new Date(now.getTime() - this.options.sweepMs),
    );
    if (published)
      this.logger.log(`published ${published} trial announcement(s) Kafka had refused`);
    return published;
  }
}
