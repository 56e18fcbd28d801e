import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { TriageError } from './errors';

/** The dataset managed ci-log-triage sessions draw their cases from, under the datasets folder. */
export const CI_BREAKAGES_DATASET = 'ci-breakages';

// A case id names a folder: no separators, no leading dot, no `..`.
const CASE_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Whether `id` can name a case folder at all (before asking whether the dataset has it). */
export function isCaseIdShape(id: string): boolean {
  return CASE_ID.test(id) && !id.includes('..');
}

/**
 * The case ids of one copy of the ci-breakages dataset: its case folders, listed once. A Set, not
 * an object, so `constructor` or `__proto__` is no case.
 */
export class CaseCatalogue {
  private constructor(
    /** The folder listed, for server-side logs only (never in a tenant-visible message). */
    readonly dir: string,
    readonly ids: ReadonlySet<string>,
  ) {}

  /**
   * Lists `<datasetsDir>/ci-breakages` (every service image ships the datasets and sets
   * DATASETS_DIR). Throws a TriageError naming the folder when it cannot be read or holds no case,
   * so a service that checks tasks against it fails at start-up instead of refusing every task.
   */
  static list(datasetsDir: string): CaseCatalogue {
    const dir = join(datasetsDir, CI_BREAKAGES_DATASET);
    let ids: string[];
    try {
      ids = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => isCaseIdShape(entry.name) && isFolder(dir, entry))
        .map((entry) => entry.name)
        .sort();
    } catch (err) {
      throw new TriageError(
        `cannot list the ${CI_BREAKAGES_DATASET} dataset at ${dir}: ${(err as Error).message}; set DATASETS_DIR to the folder that holds ${CI_BREAKAGES_DATASET}/`,
      );
    }
    if (!ids.length)
      throw new TriageError(`the ${CI_BREAKAGES_DATASET} dataset at ${dir} holds no case folders`);
    return new CaseCatalogue(dir, new Set(ids));
  }

  has(caseId: string): boolean {
    return this.ids.has(caseId);
  }

  /** Why `caseId` is not a case, for the tenant: the dataset's ids, never its server path. */
  unknown(caseId: string): string {
    const ids = [...this.ids];
    const shown = ids.slice(0, 25).join(', ');
    const more = ids.length > 25 ? ` and ${ids.length - 25} more` : '';
    return `no case ${JSON.stringify(caseId)} in the ci-log-triage dataset; its cases are ${shown}${more}`;
  }
}

/** A case folder, or a link to one (the orchestrator's loader follows links, so the list must). */
function isFolder(dir: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, entry.name)).isDirectory();
  } catch {
    return false;
  }
}
