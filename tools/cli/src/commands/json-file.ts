import { readFileSync } from 'node:fs';
import { CliError } from '../api.client';

/** A JSON file the user named; unreadable or not JSON is a usage error (exit 2) that says which. */
export function readJsonFile(file: string, what: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read the ${what} file ${file}: ${(err as Error).message}`, 2);
  }
  // UTF-16 (PowerShell's `>` writes it) read as UTF-8 would fail to parse with a garbled message.
  if (bytes.includes(0))
    throw new CliError(
      `${file} holds NUL bytes, so it is no UTF-8 JSON (UTF-16 text, as PowerShell's ">" writes, or a binary file?); save it as UTF-8`,
      2,
    );
  try {
    // A byte-order mark (some editors on Windows write one) is no JSON, nor worth refusing for.
    return JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${file} is not JSON: ${(err as Error).message}`, 2);
  }
}
