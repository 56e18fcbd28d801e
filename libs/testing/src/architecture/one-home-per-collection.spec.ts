import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/*
 * One home per collection: a MongoDB collection is declared by one library (its owner's
 * data-access lib, with its schema, indexes, writer and reader); other services use the owner's
 * reader instead of declaring a second schema of it. A second `collection: '<name>'` anywhere in
 * the libraries' sources fails here, naming both places.
 * (The testing project's test target lists every library's sources as inputs, so Nx's cache
 * does not skip this when another library changes.)
 */
const ROOT = join(__dirname, '..', '..', '..', '..');
const LIBS = join(ROOT, 'libs');
const DECLARATION = /\bcollection\s*:\s*['"`]([A-Za-z0-9_.-]+)['"`]/g;
const TEST_FILE = /\.(spec|int-spec)\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) ? [path] : [];
  });
}

/** The library a file belongs to: the folder holding its `src` (`libs/sessions/data-access`). */
function libraryOf(file: string): string {
  const parts = relative(ROOT, file).split(sep);
  return parts.slice(0, parts.indexOf('src')).join('/');
}

/** Which libraries declare each collection, and in which files. */
function declarations(): Map<string, Map<string, string[]>> {
  const found = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(LIBS)) {
    for (const [, collection] of readFileSync(file, 'utf8').matchAll(DECLARATION)) {
      const libs = found.get(collection) ?? new Map<string, string[]>();
      const lib = libraryOf(file);
      libs.set(lib, [...(libs.get(lib) ?? []), relative(ROOT, file)]);
      found.set(collection, libs);
    }
  }
  return found;
}

describe('one home per collection', () => {
  const found = declarations();

  it('finds the collections the services store (the scan is not empty)', () => {
    for (const name of ['sessions', 'session_events', 'feedback', 'agents', 'dreams', 'outcomes'])
      expect(found.has(name)).toBe(true);
  });

  it('declares each collection in exactly one library', () => {
    const homes = [...found].map(([collection, libs]) => ({ collection, libs: [...libs.keys()] }));
    const shared = homes
      .filter((h) => h.libs.length !== 1)
      .map((h) => `${h.collection}: ${h.libs.join(', ')}`);
    expect(shared).toEqual([]);
  });

  it("puts the sessions domain's collections in its data-access library", () => {
    for (const name of ['sessions', 'session_events', 'feedback', 'agents', 'api_keys', 'batches'])
      expect([...(found.get(name)?.keys() ?? [])]).toEqual(['libs/sessions/data-access']);
  });
});
