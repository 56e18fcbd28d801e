import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
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
 * `groundtruth`), sorted by id. Strict: a folder that is not a complete case (none in the shipped
 * data) is an error rather than silently skipped, so a broken copy of a bundled dataset is noticed;
 * hidden folders (`.git`, say) are not cases, and an entry that cannot be looked at (a dangling
 * link) is named in the error. A user's own folder goes through `loadCases` instead.
 */
export async function loadDataset(dir: string): Promise<TriageCase[]> {
  const ids = await caseFolders(dir);
  return Promise.all(ids.map((id) => loadCase(dir, id)));
}

/** What `loadCases` made of a folder of case folders. */
export interface LoadedCases {
  cases: TriageCase[];
  /** Folders that are no usable case, each with the reason (the rest still load). */
  skipped: { id: string; reason: string }[];
  /** Cases loaded with something missing that has a default (a pass.log read as empty). */
  notes: string[];
}

/**
 * Loads a user's folder of cases, as `reverie eval triage` and `dream --offline` read it: a
 * sub-folder that is no usable case (no fail.log or groundtruth, a binary log, labels it cannot
 * read) is skipped with its reason instead of refusing the whole folder, since a copied dataset
 * often holds a few (CiDiff's has folders with labels and no logs); a missing pass.log is read as
 * no passing build. Throws only when the folder cannot be read or no case in it can be used.
 */
export async function loadCases(
  dir: string,
  options: {
    /** The heap the logs may take; by default what this process's heap has free. */
    heapFree?: number;
    use?: CasesUse;
  } = {},
): Promise<LoadedCases> {
  const out: LoadedCases = { cases: [], skipped: [], notes: [] };
  const names = await readFolder(dir);
  const tight = await checkHeap(
    dir,
    names,
    options.heapFree ?? heapFree(),
    options.use ?? 'evaluate',
  );
  if (tight) out.notes.push(tight);
  const lineCounts: LineCountDiff[] = [];
  for (const name of names) {
    let isDir: boolean;
    try {
      isDir = (await entryStat(dir, name)).isDirectory();
    } catch (e) {
      if (!(e instanceof TriageError)) throw e;
      out.skipped.push({ id: name, reason: e.message });
      continue;
    }
    if (!isDir) continue;
    // A note counts only for a case that loads.
    const notes: string[] = [];
    const counts: LineCountDiff[] = [];
    try {
      out.cases.push(await loadCase(dir, name, { passLog: 'optional', notes, lineCounts: counts }));
      out.notes.push(...notes);
      lineCounts.push(...counts);
    } catch (e) {
      if (!(e instanceof TriageError)) throw e;
      out.skipped.push({ id: name, reason: e.message });
    }
  }
  const counted = lineCountNote(lineCounts);
  if (counted) out.notes.push(counted);
  if (!out.cases.length) {
    const nested = await nestedCaseFolder(dir, names);
    if (nested)
      throw new TriageError(
        `no usable case in ${dir}, but ${join(dir, nested)} holds case folders (with fail.log); give that folder, one level down`,
      );
    throw new TriageError(
      out.skipped.length
        ? `no usable case in ${dir}: ${out.skipped
            .slice(0, 3)
            .map((s) => s.reason)
            .join('; ')}${out.skipped.length > 3 ? ` (and ${out.skipped.length - 3} more)` : ''}`
        : names.includes('fail.log')
          ? `the dataset folder ${dir} is itself a case (it holds fail.log); give the folder that holds case folders, such as its parent`
          : `the dataset folder ${dir} has no case folders (${CASE_FILES_HINT})`,
    );
  }
  return out;
}

/** What loading a user's folder noticed, a line each: skipped folders with the reason, then notes. */
export function loadNotes(loaded: LoadedCases): string[] {
  return [...loaded.skipped.map((s) => `not a usable case, skipped: ${s.reason}`), ...loaded.notes];
}

/**
 * Lower bounds of the free heap that reading a folder of cases takes: every log's text stays in
 * memory while the cases are evaluated (per byte of all logs; a dream, which keeps its training
 * cases' line features as well, 1.8 a byte), and the largest case's lines are split and given
 * their features at once (per line of its fail and pass logs). Seven folders, each at the
 * smallest `--max-old-space-size` it ran in, had 1.4–2.5 times these free when the check ran,
 * never less (docs/learning.md, "How much memory a folder of logs takes"), so the refusal they
 * back turns away no folder that would fit.
 */
export const LOG_MEMORY = {
  perLogByte: { evaluate: 1, dream: 1.8 },
  perLineOfLargestCase: 170,
} as const;

/** What a folder of cases is read for: evaluating rules on it, or dreaming on it too. */
export type CasesUse = keyof typeof LOG_MEMORY.perLogByte;

/**
 * Refuses, before reading any, logs that could not fit in what the heap has free (`free`) however
 * they are read (`LOG_MEMORY`): Node would otherwise run out of memory minutes in and abort with
 * its own trace. Lines are counted only when the size alone cannot settle it. Names the size, the
 * heap and how to raise it. Answers a note when the logs fit the bound but not what the measured
 * folders needed at most (2.6 times it): they may still run out.
 */
async function checkHeap(
  dir: string,
  names: readonly string[],
  free: number,
  use: CasesUse,
): Promise<string | null> {
  const logs = await Promise.all(names.map((name) => caseLogs(dir, name)));
  const bytes = logs.reduce((sum, c) => sum + c.bytes, 0);
  const need = (largest: number) =>
    bytes * LOG_MEMORY.perLogByte[use] + largest * LOG_MEMORY.perLineOfLargestCase;
  const largest = (counts: number[]) => counts.reduce((a, b) => Math.max(a, b), 0);
  // A line is at least one byte: a folder that fits with a line a byte fits.
  if (need(largest(logs.map((c) => c.bytes))) * MEASURED_SPREAD <= free) return null;
  const counts: number[] = [];
  for (const c of logs) counts.push(await countFileLines(c.files)); // one file open at a time
  const lines = largest(counts);
  const atLeast = need(lines);
  if (atLeast * MEASURED_SPREAD <= free) return null;
  const what = `the logs in ${dir} hold ${sizeText(bytes)} (${lines} lines in the largest case)`;
  const doing = use === 'dream' ? 'dream on' : 'read';
  // Room for what the measured folders needed at most, and for the code's own heap.
  const raise = `NODE_OPTIONS=--max-old-space-size=${Math.ceil((atLeast * MEASURED_SPREAD + 2 ** 27) / 2 ** 30) * 1024}`;
  if (atLeast > free)
    throw new TriageError(
      `${what}, which needs at least ${sizeText(atLeast)} of memory to ${doing}, more than this process's heap has free (${sizeText(free)}); give fewer cases at a time, or raise the heap (${raise})`,
    );
  return `${what}, which may need up to ${sizeText(atLeast * MEASURED_SPREAD)} of memory to ${doing}; this process's heap has ${sizeText(free)} free; if Node runs out of memory, give fewer cases at a time or raise the heap (${raise})`;
}

/** The most that a measured folder needed over `LOG_MEMORY`'s bound. */
const MEASURED_SPREAD = 2.6;

/** A case's log files that exist, and their bytes. */
async function caseLogs(dir: string, name: string): Promise<{ files: string[]; bytes: number }> {
  const out = { files: [] as string[], bytes: 0 };
  for (const file of ['fail.log', 'pass.log']) {
    const path = join(dir, name, file);
    const size = await stat(path).then(
      (s) => (s.isFile() ? s.size : -1),
      () => -1,
    );
    if (size < 0) continue;
    out.files.push(path);
    out.bytes += size;
  }
  return out;
}

/**
 * The lines of the files together, as `splitLogLines` counts them (`\r\n`, a lone `\r` and `\n`
 * each end one; a last line without a terminator counts), read a chunk at a time.
 */
async function countFileLines(files: readonly string[]): Promise<number> {
  const [CR, LF] = [13, 10];
  let lines = 0;
  for (const file of files) {
    let last = LF;
    try {
      for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
        if (!chunk.length) continue;
        // A \r\n split across chunks was counted at its \r.
        if (last === CR && chunk[0] === LF) lines--;
        for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) lines++;
        for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1))
          if (chunk[i + 1] !== LF) lines++; // a lone \r, or one at the chunk's end
        last = chunk[chunk.length - 1];
      }
    } catch {
      continue; // unreadable: loading the case says why
    }
    if (last !== LF && last !== CR) lines++;
  }
  return lines;
}

/** What this process's heap has free: its limit less what the code and its data already use. */
function heapFree(): number {
  const heap = getHeapStatistics();
  return heap.heap_size_limit - heap.used_heap_size;
}

/** A size in the unit that fits: a small heap (--max-old-space-size=64) must not read as "0.0 GB". */
function sizeText(n: number): string {
  return n >= 2 ** 30
    ? `${(n / 2 ** 30).toFixed(1)} GB`
    : n >= 2 ** 20
      ? `${(n / 2 ** 20).toFixed(1)} MB`
      : `${Math.ceil(n / 1024)} KB`;
}

/** The first sub-folder of `dir` whose own sub-folders hold a fail.log: cases one level down. */
async function nestedCaseFolder(dir: string, names: readonly string[]): Promise<string | null> {
  for (const name of names) {
    const inner = await readdir(join(dir, name), { withFileTypes: true }).catch(() => []);
    for (const child of inner)
      if (
        child.isDirectory() &&
        (await stat(join(dir, name, child.name, 'fail.log')).then(
          (s) => s.isFile(),
          () => false,
        ))
      )
        return name;
  }
  return null;
}

async function readFolder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch (e) {
    throw new TriageError(
      `cannot read the dataset folder ${dir}: ${(e as Error).message}; pass the folder that holds one sub-folder per case`,
    );
  }
}

async function caseFolders(dir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const name of await readFolder(dir))
    if ((await entryStat(dir, name)).isDirectory()) ids.push(name);
  if (ids.length === 0) throw new TriageError(`the dataset folder ${dir} has no case folders`);
  return ids;
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

/** What a path that is no regular file is, for a message: "a folder", "a device", ... */
export function notAFileKind(info: Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * A case file's text. Only a regular file is read: a device (`/dev/zero`) would be read until
 * memory ran out, a named pipe would wait for a writer, and neither has a size the folder's
 * memory check could count.
 */
async function readCaseFile(path: string): Promise<string> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`it is ${notAFileKind(info)}, not a file`);
  return readFile(path, 'utf8');
}

export async function loadCase(
  dir: string,
  id: string,
  options: {
    passLog?: 'required' | 'optional';
    notes?: string[];
    /** Hears of a fail.log that `grep -n` numbers otherwise (lone carriage returns). */
    lineCounts?: LineCountDiff[];
  } = {},
): Promise<TriageCase> {
  // Settled, then the first failure in CASE_FILES order: with two files missing, Promise.all
  // would report whichever read failed first, so the message changed from run to run.
  const read = await Promise.allSettled(
    CASE_FILES.map(async (file) => {
      try {
        return await readCaseFile(join(dir, id, file));
      } catch (e) {
        const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
        if (file === 'pass.log' && missing && options.passLog === 'optional') {
          options.notes?.push(`case ${id} has no pass.log: read as no passing build`);
          return '';
        }
        throw new TriageError(
          `case ${id} has no readable ${file}: ${(e as Error).message} (${CASE_FILES_HINT})`,
        );
      }
    }),
  );
  const failed = read.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const [fail, pass, truth] = read.map((r) => (r as PromiseFulfilledResult<string>).value);
  for (const [file, text] of [
    ['fail.log', fail],
    ['pass.log', pass],
  ] as const) {
    if (text.includes('\u0000'))
      throw new TriageError(
        `case ${id}: ${file} holds NUL bytes, so it is no text log (a .gz or .zip download, or UTF-16 text?); unpack it or convert it to UTF-8 first`,
      );
    const invalid = notUtf8(text);
    if (invalid)
      throw new TriageError(
        `case ${id}: ${file} is not UTF-8 text (${invalid} of its characters are no valid UTF-8: a binary file?); convert it to UTF-8 first`,
      );
  }
  const failLines = splitLogLines(fail);
  const byNewline = linesByNewline(fail);
  if (byNewline !== failLines.length)
    options.lineCounts?.push({ id, lines: failLines.length, byNewline });
  const { format, errorRanges, contextRanges } = parseGroundtruth(truth, `${id}/groundtruth`);
  checkWithin([...errorRanges, ...contextRanges], failLines.length, id);
  return { id, format, failLines, passLines: splitLogLines(pass), errorRanges, contextRanges };
}

/** A fail.log whose lines `splitLogLines` counts otherwise than `grep -n`. */
interface LineCountDiff {
  id: string;
  lines: number;
  byNewline: number;
}

/** The lines `grep -n` numbers in `text`: only `\n` ends one. */
function linesByNewline(text: string): number {
  if (text === '') return 0;
  let newlines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) newlines++;
  return newlines + (text.endsWith('\n') ? 0 : 1);
}

/**
 * One note for the fail.logs whose line numbers differ from `wc -l`'s and `grep -n`'s: a carriage
 * return not followed by a newline (progress bars, GitLab's `section_start:…\r`) ends a line here,
 * as in the CiDiff labels (Java's `readLine`), but not for those tools, so labels made with them
 * point at other lines without a word. Null when every log counts alike.
 */
function lineCountNote(diffs: readonly LineCountDiff[]): string | null {
  if (!diffs.length) return null;
  const shown = diffs
    .slice(0, 3)
    .map((d) => `${d.id}: ${d.lines} here, ${d.byNewline} by grep -n`)
    .join('; ');
  const more = diffs.length > 3 ? `; and ${diffs.length - 3} more` : '';
  return `${diffs.length} case(s) have carriage returns not followed by a newline in fail.log (${shown}${more}): each ends a line here, as the CiDiff labels count, so groundtruth line numbers run past grep -n's; to number a log's lines as here: sed 's/\\r$//' fail.log | tr '\\r' '\\n' | grep -n PATTERN`;
}

/**
 * How many characters of `text` were bytes no UTF-8 decoder could read (U+FFFD), when there are
 * so many that it is no text log: more than 1 % of them and at least 16 (a log with a few
 * Latin-1 accents still reads); 0 otherwise.
 */
function notUtf8(text: string): number {
  let bad = 0;
  for (let i = text.indexOf('\uFFFD'); i >= 0; i = text.indexOf('\uFFFD', i + 1)) bad++;
  return bad >= 16 && bad > text.length / 100 ? bad : 0;
}

function checkWithin(ranges: LineRange[], lineCount: number, id: string): void {
  const outside = ranges.find((r) => r.end > lineCount);
  if (outside)
    throw new TriageError(
      `${id}/groundtruth labels lines ${formatRange(outside)} but fail.log has ${lineCount} line${lineCount === 1 ? '' : 's'}`,
    );
}
