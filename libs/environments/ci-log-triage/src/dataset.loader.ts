import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TriageError } from './errors';
import { parseGroundtruth } from './groundtruth.parser';
import { formatRange, type LineRange } from './line-range';
import { splitLogLines } from './log-lines';
import type { TriageCase } from './triage-case';

const CASE_FILES = ['fail.log', 'pass.log', 'groundtruth'] as const;
const CASE_FILES_HINT =
  'a case folder holds fail.log, pass.log (the log of the last passing build, an empty file when there is none) and groundtruth';

/**
 * Loads every case folder of a CI-breakages dataset (`<case>/fail.log`, `pass.log`,
 * `groundtruth`), sorted by id. Folders without those files (none in the shipped data) are an
 * error rather than silently skipped, so a broken copy is noticed; hidden folders (`.git`, say)
 * are not cases, and an entry that cannot be looked at (a dangling link) is named in the error.
 */
export async function loadDataset(dir: string): Promise<TriageCase[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (e) {
    throw new TriageError(
      `cannot read the dataset folder ${dir}: ${(e as Error).message}; pass the folder that holds one sub-folder per case`,
    );
  }
  const ids: string[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    if ((await entryStat(dir, name)).isDirectory()) ids.push(name);
  }
  if (ids.length === 0) throw new TriageError(`the dataset folder ${dir} has no case folders`);
  return Promise.all(ids.map((id) => loadCase(dir, id)));
}

async function entryStat(dir: string, name: string) {
  try {
    return await stat(join(dir, name));
  } catch (e) {
    throw new TriageError(
      `cannot read ${join(dir, name)} in the dataset folder: ${(e as Error).message}`,
    );
  }
}

export async function loadCase(dir: string, id: string): Promise<TriageCase> {
  const [fail, pass, truth] = await Promise.all(
    CASE_FILES.map(async (file) => {
      try {
        return await readFile(join(dir, id, file), 'utf8');
      } catch (e) {
        throw new TriageError(
          `case ${id} has no readable ${file}: ${(e as Error).message} (${CASE_FILES_HINT})`,
        );
      }
    }),
  );
  for (const [file, text] of [
    ['fail.log', fail],
    ['pass.log', pass],
  ] as const)
    if (text.includes('\u0000'))
      throw new TriageError(
        `case ${id}: ${file} holds NUL bytes, so it is no text log (a .gz or .zip download?); unpack it first`,
      );
  const failLines = splitLogLines(fail);
  const { format, errorRanges, contextRanges } = parseGroundtruth(truth, `${id}/groundtruth`);
  checkWithin([...errorRanges, ...contextRanges], failLines.length, id);
  return { id, format, failLines, passLines: splitLogLines(pass), errorRanges, contextRanges };
}

function checkWithin(ranges: LineRange[], lineCount: number, id: string): void {
  const outside = ranges.find((r) => r.end > lineCount);
  if (outside)
    throw new TriageError(
      `${id}/groundtruth labels lines ${formatRange(outside)} but fail.log has ${lineCount} lines`,
    );
}
