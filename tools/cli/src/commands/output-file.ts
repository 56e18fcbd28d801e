import {
  accessSync,
  constants,
  existsSync,
  linkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { CliError } from '../api.client';

/**
 * The path `file` names once symbolic links are followed: its own for a file that exists, its
 * folder's (with the name) for one not yet written. Two names of one file compare equal.
 */
export function realPathOf(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    try {
      return join(realpathSync(dirname(resolve(file))), basename(file));
    } catch {
      return resolve(file);
    }
  }
}

/** Whether two names are one file: symbolic links followed, hard links compared by inode. */
function sameFile(a: string, b: string): boolean {
  if (realPathOf(a) === realPathOf(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** Whether `file` is the folder `folder` or inside it, links followed. */
export function isWithin(file: string, folder: string): boolean {
  const f = realPathOf(file);
  const d = realPathOf(folder);
  return f === d || f.startsWith(d.endsWith(sep) ? d : d + sep);
}

/** An input of the run that an output must not overwrite: a file, or a folder of inputs. */
export interface RunInput {
  path: string;
  /** How the message names it (`--scenarios my.json`). */
  label: string;
}

/**
 * Refuses, before any work, an output the run could not write or that would eat one of its
 * inputs: no name, a folder that does not exist, a folder given as the file, a device, pipe or
 * socket when the output is `renamed` into place (that would replace it), no permission, or an
 * input of the run under any name (a symbolic or hard link included) or inside an input folder (a
 * case's `fail.log`). `flag` and `given` name the option in the message (`--out x.json`).
 */
export function checkOutputFile(
  flag: string,
  given: string,
  file: string,
  inputs: readonly RunInput[],
  /** The output is renamed into place (`writeOutputs`), not written into what the name is. */
  renamed = false,
): void {
  const at = file === given ? `${flag} ${given}` : `${flag} ${given} would write ${file}, which`;
  if (file.trim() === '') throw new CliError(`${flag} needs a file name`, 2);
  const folder = dirname(resolve(file));
  if (!existsSync(folder) || !statSync(folder).isDirectory())
    throw new CliError(`${flag} ${given}: the folder ${folder} does not exist`, 2);
  if (existsSync(file) && statSync(file).isDirectory())
    throw new CliError(`${at} is a folder; give a file name`, 2);
  // Renamed into place, a device (`/dev/null`), a pipe or a socket would be replaced by a
  // regular file, `--force` or not. Written into (`land --svg /dev/stdout`), it is fine.
  if (renamed && existsSync(file) && !statSync(file).isFile())
    throw new CliError(
      `${at} is not a regular file (a device, a pipe or a socket); give a file name`,
      2,
    );
  for (const input of inputs) {
    const folderInput = existsSync(input.path) && statSync(input.path).isDirectory();
    if (folderInput ? isWithin(file, input.path) : sameFile(file, input.path))
      throw new CliError(
        `${at} ${folderInput ? 'is inside' : 'is'} an input of this run (${input.label}); give another name`,
        2,
      );
  }
  try {
    accessSync(existsSync(file) ? file : folder, constants.W_OK);
  } catch {
    throw new CliError(`${flag} ${given}: cannot write ${file} (no permission)`, 2);
  }
  // Permission bits do not say everything (root may write anywhere, yet not into /proc or a
  // read-only mount): the temporary file `writeOutputs` writes first is tried now, not after a
  // long run.
  if (renamed) {
    const probe = tempFileOf(file);
    try {
      writeFileSync(probe, '');
    } catch (err) {
      throw new CliError(
        `${flag} ${given}: cannot write in ${folder} (${(err as Error).message})`,
        2,
      );
    } finally {
      rmSync(probe, { force: true });
    }
  }
}

/** The temporary file an output is written to before it is renamed into place. */
function tempFileOf(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/**
 * Refuses (exit 2) to replace files an earlier run left, unless `force`: a dream that promotes
 * nothing writes an empty playbook, which must not silently take the place of a learned one.
 */
export function refuseExisting(
  flag: string,
  given: string,
  files: readonly string[],
  force: boolean,
): void {
  if (force) return;
  const found = files.filter((f) => existsSync(f));
  if (found.length)
    throw new CliError(
      `${flag} ${given}: ${found.join(', ')} ${found.length > 1 ? 'exist' : 'exists'} (an earlier run's?); give another name, or --force to replace ${found.length > 1 ? 'them' : 'it'}`,
      2,
    );
}

/**
 * Writes the outputs in full or not at all: each to a temporary file beside it, then all put into
 * place (a rename or link in one folder does not fail for want of space), so a full disk or a
 * lost folder never leaves a half-written playbook or a new playbook beside an earlier run's
 * report. Unless `replace` (`--force`), a file that appeared while the run worked (another run
 * given the same `--out`) is not replaced: each output is hard-linked into place, which fails if
 * the name exists; the ones this run placed are taken back, and the error names where this run's
 * results were kept. A failure is one line naming what could not be written (exit 1).
 */
export function writeOutputs(
  outputs: readonly { file: string; text: string }[],
  { replace = true }: { replace?: boolean } = {},
): void {
  try {
    for (const { file, text } of outputs) writeFileSync(tempFileOf(file), text);
  } catch (err) {
    for (const { file } of outputs) rmSync(tempFileOf(file), { force: true });
    throw new CliError(`cannot write the results: ${(err as Error).message}`);
  }
  if (!replace) return placeExclusively(outputs.map((o) => o.file));
  for (const { file } of outputs) {
    try {
      renameSync(tempFileOf(file), file);
    } catch (err) {
      throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
    }
  }
}

// A file system without hard links (some network and FUSE mounts) answers one of these.
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Puts each file's temporary file in place without replacing anything (see `writeOutputs`). */
function placeExclusively(files: readonly string[]): void {
  const placed: string[] = [];
  for (const file of files) {
    const temp = tempFileOf(file);
    try {
      try {
        linkSync(temp, file);
        unlinkSync(temp);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (!NO_LINKS.has(code)) throw err;
        // No links here: the existence check and the rename leave a moment for a race.
        if (existsSync(file)) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
        renameSync(temp, file);
      }
      placed.push(file);
    } catch (err) {
      const exists = (err as NodeJS.ErrnoException).code === 'EEXIST';
      for (const done of placed) renameSync(done, tempFileOf(done));
      if (!exists) {
        for (const f of files) rmSync(tempFileOf(f), { force: true });
        throw new CliError(`cannot write ${file}: ${(err as Error).message}`);
      }
      throw new CliError(
        `cannot write ${file}: it appeared while this run worked (another run with the same --out?), and is left as it is; this run's results are in ${files.map(tempFileOf).join(', ')}`,
      );
    }
  }
}
