import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeat, oldSpaceFlagMb, outOfMemoryMessage } from './heap-worker';

describe('the out-of-memory line', () => {
  it('names the --max-old-space-size given (a flag over NODE_OPTIONS, as in Node), not V8 heap limit', () => {
    expect(oldSpaceFlagMb(['--max-old-space-size=170'], '')).toBe(170);
    expect(oldSpaceFlagMb([], '--enable-source-maps --max-old-space-size=512')).toBe(512);
    expect(oldSpaceFlagMb(['--max-old-space-size=100'], '--max-old-space-size=300')).toBe(100);
    expect(oldSpaceFlagMb([], '')).toBeNull();
    expect(oldSpaceFlagMb(['--max_old_space_size=256'], '')).toBe(256);
    expect(outOfMemoryMessage(170, true)).toMatch(
      /more than the 170 MB of heap Node gives this process \(--max-old-space-size\); .*--max-old-space-size=1024 /,
    );
    // Without the flag: V8's limit, and a whole number of GB at least twice it.
    expect(outOfMemoryMessage(4144, false)).toMatch(/the 4144 MB of heap .*=9216 /);
  });
});

describe('stderr from the heap worker', () => {
  it('reaches the terminal or pipe as written, while the worker is still busy (it never yields to its event loop)', async () => {
    // A worker that writes two lines, then blocks for good without turning its event loop, as a
    // long synchronous run of flights does. Through the worker's own process.stderr only the
    // first line left before the end; both must arrive while it still blocks.
    const dir = mkdtempSync(join(tmpdir(), 'heap-worker-'));
    const entry = join(dir, 'entry.js');
    writeFileSync(
      entry,
      `exports.run = () => {
        const { writeStderr } = require(${JSON.stringify(join(__dirname, 'heap-worker.ts'))});
        writeStderr('first line\\n');
        writeStderr('second line\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      };`,
    );
    const root = join(__dirname, '../../..');
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require('@swc-node/register'); require(${JSON.stringify(join(__dirname, 'heap-worker.ts'))}).runInHeapWorker(${JSON.stringify(entry)}, []);`,
      ],
      {
        cwd: root,
        env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.base.json') },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    try {
      let said = '';
      // Resolves once both lines are read. Held back, they never come: after 30 s (under a
      // second here, worker start included) it fails rather than wait on the spec's timeout.
      await new Promise<void>((resolve, reject) => {
        const giveUp = setTimeout(
          () => reject(new Error(`30 s on, stderr held only: ${JSON.stringify(said)}`)),
          30_000,
        );
        child.stderr.on('data', (chunk: Buffer) => {
          said += chunk.toString('utf8');
          if (!said.includes('second line\n')) return;
          clearTimeout(giveUp);
          resolve();
        });
        child.on('exit', (code) => reject(new Error(`ended (${code}) first: ${said}`)));
      });
      expect(said).toBe('first line\nsecond line\n');
      // The worker still blocks: the lines came before its end.
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the heartbeat while the worker is silent', () => {
  afterEach(() => jest.useRealTimers());

  it('says the work goes on after a minute without a line, and again a minute after', () => {
    jest.useFakeTimers();
    let now = 1_000_000;
    const lines: string[] = [];
    const lastWrite = new SharedArrayBuffer(8);
    const stop = heartbeat(
      lastWrite,
      60_000,
      (l) => lines.push(l),
      () => now,
    );
    const after = (ms: number) => {
      now += ms;
      jest.advanceTimersByTime(ms);
    };
    after(30_000);
    // The worker wrote a line: the silence starts again.
    Atomics.store(new BigInt64Array(lastWrite), 0, BigInt(now));
    after(55_000);
    expect(lines).toEqual([]);
    after(5_000);
    expect(lines).toEqual([
      'reverie: still working (1 min 30 s in; nothing new to say for 1 min)\n',
    ]);
    after(60_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('reverie: still working (2 min 30 s in; nothing new to say for 1 min)\n');
    stop();
    after(600_000);
    expect(lines).toHaveLength(2);
  });
});
