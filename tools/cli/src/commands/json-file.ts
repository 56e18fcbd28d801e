import { OfflineInputError, parseJsonBytes, readInputFile } from '@reverie/dreaming-feature';
import { CliError } from '../api.client';

/**
 * A JSON file the user named, read as the offline dream reads its inputs (`readInputFile`: a
 * file or standard input, at most 256 MB; `parseJsonBytes`: a byte-order mark skipped, UTF-16
 * named); unreadable or not JSON is a usage error (exit 2) that
 * says which.
 */
export function readJsonFile(file: string, what: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readInputFile(file);
  } catch (err) {
    throw new CliError(`cannot read the ${what} file ${file}: ${(err as Error).message}`, 2);
  }
  try {
    return parseJsonBytes(bytes, file);
  } catch (err) {
    if (err instanceof OfflineInputError) throw new CliError(err.message, 2);
    throw err;
  }
}
