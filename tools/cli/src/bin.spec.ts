import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('bin/reverie.js', () => {
  it('on a clone without its dependencies says to run npm ci, in one line and without a stack trace', () => {
    // A copy of the launcher in a folder with no node_modules above it: @swc-node/register is
    // not found there, as in a fresh clone before `npm ci`.
    const dir = mkdtempSync(join(tmpdir(), 'reverie-bin-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(__dirname, '../../../bin/reverie.js'), join(dir, 'bin', 'reverie.js'));
      const ran = spawnSync(process.execPath, [join(dir, 'bin', 'reverie.js'), 'eval'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
        cwd: dir,
      });
      expect(ran.status).toBe(1);
      expect(ran.stdout).toBe('');
      expect(ran.stderr).toBe(
        `reverie: the project's dependencies are not installed; run \`npm ci\` in ${dir} first\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
