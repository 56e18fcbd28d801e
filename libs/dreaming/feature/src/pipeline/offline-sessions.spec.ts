import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_INPUT_BYTES, readInputFile } from './offline-sessions';

describe('readInputFile (a JSON input the user named)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-'));

  it('reads a regular file', () => {
    writeFileSync(join(dir, 'a.json'), '{"a": 1}');
    expect(readInputFile(join(dir, 'a.json')).toString()).toBe('{"a": 1}');
  });

  it('refuses, unread, a device, a named pipe, a folder and a file larger than the cap', () => {
    expect(() => readInputFile('/dev/zero')).toThrow(
      'it is a device, not a file (to read from a pipe, give /dev/stdin and pipe into the command)',
    );
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    // Opening a named pipe would wait for a writer: refused before it is opened.
    expect(() => readInputFile(join(dir, 'pipe'))).toThrow(/^it is a named pipe, not a file/);
    expect(() => readInputFile(dir)).toThrow(/^it is a folder, not a file$/);
    writeFileSync(join(dir, 'big.json'), '');
    truncateSync(join(dir, 'big.json'), MAX_INPUT_BYTES + 1); // sparse: no disk, no memory
    expect(() => readInputFile(join(dir, 'big.json'))).toThrow(
      'it is larger than 256 MB, more than any scenario, playbook or outcome file needs',
    );
    expect(() => readInputFile(join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });
});
