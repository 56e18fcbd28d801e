import { readFileSync } from 'node:fs';
import { CliError } from '../api.client';

/** A JSON file the user named; unreadable or not JSON is a usage error (exit 2) that says which. */
export function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read the ${what} file ${file}: ${(err as Error).message}`, 2);
  }
  try {
    // A byte-order mark (some editors on Windows write one) is no JSON, nor worth refusing for.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new CliError(`${file} is not JSON: ${(err as Error).message}`, 2);
  }
}
