import { join } from 'node:path';
import { loadCase, type LineRange } from '@reverie/ci-log-triage';

/**
 * The labelled error lines of a ci-log-triage case, read from `<datasetsDir>/ci-breakages` and
 * kept (a batch grades the same few cases many times). An unreadable case gives null: its
 * `label_match` criteria then explain that there is nothing to compare against.
 */
export class TriageLabels {
  private readonly cache = new Map<string, Promise<LineRange[] | null>>();

  constructor(private readonly datasetsDir: string) {}

  get(caseId: string): Promise<LineRange[] | null> {
    let found = this.cache.get(caseId);
    if (!found) {
      found = loadCase(join(this.datasetsDir, 'ci-breakages'), caseId).then(
        (c) => c.errorRanges,
        () => null,
      );
      if (this.cache.size >= 500) this.cache.clear();
      this.cache.set(caseId, found);
    }
    return found;
  }
}
