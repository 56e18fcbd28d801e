/**
 * Writes the event contract (docs/asyncapi.yaml, docs/schemas/<topic>/<type>.json) from the
 * topics and zod schemas in libs/contracts. `--check` writes nothing and exits 1 naming every
 * file that is missing, stale or no longer generated.
 *
 *   npm run contract            # regenerate
 *   npm run contract -- --check # CI: is the committed contract current?
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { contractFiles } from '../libs/packaging/src/contract/event-contract';

const ROOT = resolve(__dirname, '..');

function existingSchemaFiles(): string[] {
  const dir = join(ROOT, 'docs/schemas');
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.json'))
    .map((f) => relative(ROOT, join(dir, f)));
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const files = contractFiles();
  const stale = Object.entries(files)
    .filter(([path, text]) => {
      const full = join(ROOT, path);
      return !existsSync(full) || readFileSync(full, 'utf8') !== text;
    })
    .map(([path]) => path);
  const orphaned = existingSchemaFiles().filter((path) => !(path in files));
  if (check) {
    for (const path of stale) console.error(`stale or missing: ${path}`);
    for (const path of orphaned) console.error(`no longer generated: ${path}`);
    if (stale.length || orphaned.length) {
      console.error('the event contract differs from the code: run `npm run contract`');
      return 1;
    }
    console.log(`event contract current (${Object.keys(files).length} files)`);
    return 0;
  }
  for (const path of stale) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), files[path]);
  }
  for (const path of orphaned) rmSync(join(ROOT, path));
  console.log(
    `event contract: ${stale.length} written, ${orphaned.length} removed, ${Object.keys(files).length} files`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`contract: ${(err as Error).message}`);
    process.exit(1);
  },
);
