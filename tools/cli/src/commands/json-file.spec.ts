import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonFile } from './json-file';

describe('readJsonFile', () => {
  it('reads a file that starts with a byte-order mark, and names a file that is no JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'reverie-json-'));
    try {
      const bom = join(dir, 'bom.json');
      writeFileSync(bom, '\uFEFF{"count": 2}');
      expect(readJsonFile(bom, 'scenarios')).toEqual({ count: 2 });
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{count: 2}');
      expect(() => readJsonFile(bad, 'scenarios')).toThrow(/bad\.json is not JSON/);
      // UTF-16 with its byte-order mark, as PowerShell's ">" writes it.
      const wide = join(dir, 'wide.json');
      writeFileSync(wide, Buffer.from('\uFEFF{"count": 2}', 'utf16le'));
      expect(() => readJsonFile(wide, 'scenarios')).toThrow(
        /wide\.json holds NUL bytes, so it is no UTF-8 JSON \(UTF-16 text/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
