import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SPLIT, splitCases } from '@reverie/ci-log-triage';
import { CliError } from '../api.client';

export type Split = 'all' | 'train' | 'held-out';

/** The case ids of a CI-log dataset folder, optionally one side of the stable split, repeated. */
export function datasetTasks(dir: string, split: Split, repeat: number): { caseId: string }[] {
  if (!existsSync(dir)) {
    throw new CliError(
      `dataset folder ${dir} not found; pass --dataset <folder> or set DATASETS_DIR`,
      2,
    );
  }
  const ids = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'groundtruth')))
    .map((d) => ({ id: d.name }))
    .sort((a, b) => a.id.localeCompare(b.id));
  if (ids.length === 0)
    throw new CliError(`no cases (folders with a groundtruth file) in ${dir}`, 2);
  const { train, heldOut } = splitCases(ids, DEFAULT_SPLIT);
  const chosen = split === 'all' ? ids : split === 'train' ? train : heldOut;
  return Array.from({ length: repeat }, () => chosen.map((c) => ({ caseId: c.id }))).flat();
}
