import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  it("runs from a user's own folder, outside the project (its worker finds the project's modules)", () => {
    // The offline commands run in a worker thread, which loads TypeScript again: from a folder
    // with no node_modules, that must not be looked up from the working directory.
    const dir = mkdtempSync(join(tmpdir(), 'reverie-cwd-'));
    try {
      const example = join(__dirname, '../../../examples/scenarios/slow-engine.json');
      const family = { ...JSON.parse(readFileSync(example, 'utf8')), count: 2 };
      writeFileSync(join(dir, 'mine.json'), JSON.stringify(family));
      const ran = spawnSync(
        process.execPath,
        [
          join(__dirname, '../../../bin/reverie.js'),
          'eval',
          'lander',
          '--scenarios',
          'mine.json',
          '--json',
        ],
        { encoding: 'utf8', cwd: dir },
      );
      expect(ran.stderr).toBe('');
      expect(ran.status).toBe(0);
      expect(JSON.parse(ran.stdout).scenarios).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("reads scenarios piped to /dev/stdin, and refuses a device in a file's place in one line", () => {
    const example = join(__dirname, '../../../examples/scenarios/slow-engine.json');
    const family = { ...JSON.parse(readFileSync(example, 'utf8')), count: 2 };
    const run = (args: string[], input?: string) =>
      spawnSync(process.execPath, [join(__dirname, '../../../bin/reverie.js'), ...args], {
        encoding: 'utf8',
        input,
      });
    const piped = run(
      ['eval', 'lander', '--scenarios', '/dev/stdin', '--json'],
      JSON.stringify(family),
    );
    expect(piped.stderr).toBe('');
    expect(JSON.parse(piped.stdout).scenarios).toHaveLength(2);
    // /dev/zero would be read until memory ran out.
    const device = run(['eval', 'lander', '--scenarios', '/dev/zero']);
    expect(device.status).toBe(2);
    expect(device.stderr).toMatch(
      /^reverie: cannot read the scenarios file \/dev\/zero: it is a device, not a file/,
    );
  }, 120_000);
});
