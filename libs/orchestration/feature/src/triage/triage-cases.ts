import { join } from 'node:path';
import {
  CI_BREAKAGES_DATASET,
  isCaseIdShape,
  loadCase,
  type TriageCase,
} from '@reverie/ci-log-triage';

/** The dataset managed ci-log-triage sessions draw their cases from, under the datasets folder. */
export const TRIAGE_DATASET = CI_BREAKAGES_DATASET;

/** A task's case id, or why it is not one. */
export function caseIdOf(
  task: Record<string, unknown>,
): { ok: true; caseId: string } | { ok: false; reason: string } {
  const caseId = task['caseId'];
  if (typeof caseId !== 'string' || !isCaseIdShape(caseId))
    return {
      ok: false,
      reason: `task.caseId must name a case of the ${TRIAGE_DATASET} dataset (letters, digits, _ . -), got ${JSON.stringify(caseId) ?? 'nothing'}`,
    };
  return { ok: true, caseId };
}

export interface TriageCaseSource {
  get(caseId: string): Promise<TriageCase>;
}

/**
 * Cases read from `<datasetsDir>/ci-breakages`, kept in memory once read (a batch repeats the
 * same few cases many times; the shipped dataset is a few megabytes).
 */
export class DatasetCaseSource implements TriageCaseSource {
  private readonly cache = new Map<string, Promise<TriageCase>>();

  constructor(
    private readonly datasetsDir: string,
    private readonly maxCached = 200,
  ) {}

  get(caseId: string): Promise<TriageCase> {
    let found = this.cache.get(caseId);
    if (!found) {
      found = loadCase(join(this.datasetsDir, TRIAGE_DATASET), caseId);
      // A failed read (an unknown case) is not remembered: the folder may appear later.
      found.catch(() => this.cache.delete(caseId));
      if (this.cache.size >= this.maxCached) this.cache.clear();
      this.cache.set(caseId, found);
    }
    return found;
  }
}
