import { getHeapStatistics } from 'node:v8';
import { writeSync } from 'node:fs';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { nodeOptionsOf } from './config/node-options';

/**
 * The commands that do their work in this process (`eval`, `dream --offline`) run it in a worker
 * thread whose heap is as large as this process's (`--max-old-space-size`). A folder of logs that
 * needs more than that ends the worker, not the process: the CLI then says so in one line and how
 * to give Node more heap, where V8 would abort with its own trace. The memory check before loading
 * (`checkHeap`) refuses most such folders up front; this catches the rest.
 */

/** What the main thread tells the worker. */
interface HeapWorkerData {
  reverieHeapWorker: true;
  argv: string[];
  /** The main thread's stderr is a terminal (the worker's never is): progress redraws in place. */
  stderrIsTty: boolean;
  /** When the worker last wrote to stderr (ms since the epoch, one BigInt64): see `heartbeat`. */
  lastWrite: SharedArrayBuffer;
}

const inWorker = (): HeapWorkerData | null =>
  !isMainThread && (workerData as HeapWorkerData | null)?.reverieHeapWorker
    ? (workerData as HeapWorkerData)
    : null;

/**
 * Writes to stderr as it comes, in the worker too. A worker's `process.stderr` hands each chunk
 * to the main thread and sends the next only once the worker's event loop turns, so a long
 * synchronous run of flights (which turns it never) printed its first progress line and held
 * the rest to the end; the worker writes to the process's file descriptor 2 itself instead.
 */
export function writeStderr(text: string): void {
  if (!inWorker()) {
    process.stderr.write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(2, bytes, written);
    } catch (err) {
      // A reader gone (`| head`, EPIPE): nothing more can be said there, and the work goes on,
      // as on the main thread. A non-blocking pipe that is full: wait a moment for its reader.
      if ((err as { code?: string }).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  wroteAt(inWorker()!.lastWrite, Date.now());
}

/** How long stderr may stay silent before the main thread says the work goes on. */
export const HEARTBEAT_MS = 60_000;

/**
 * While the worker works and, off a terminal, has written nothing to stderr for `everyMs`, a line
 * saying it still works and for how long (a stage that reports per scenario may run minutes
 * between two lines; a log reading CI must not take for hung). The main thread is free while the
 * worker works, so this runs whatever the worker does. Returns the stop function.
 */
export function heartbeat(
  lastWrite: SharedArrayBuffer,
  everyMs: number,
  write: (line: string) => void,
  now: () => number = Date.now,
): () => void {
  const started = now();
  wroteAt(lastWrite, started);
  const timer = setInterval(
    () => {
      const t = now();
      const silent = t - Number(Atomics.load(new BigInt64Array(lastWrite), 0));
      if (silent < everyMs) return;
      write(
        `reverie: still working (${durationText(t - started)} in; nothing new to say for ${durationText(silent)})\n`,
      );
      wroteAt(lastWrite, t);
    },
    Math.min(everyMs, 5_000),
  );
  timer.unref();
  return () => clearInterval(timer);
}

function wroteAt(lastWrite: SharedArrayBuffer, at: number): void {
  Atomics.store(new BigInt64Array(lastWrite), 0, BigInt(at));
}

/** "45 s", "3 min 5 s". */
function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
}

/** Whether stderr is a terminal, in the worker too (where it is a pipe to the main thread). */
export function stderrIsTty(): boolean {
  return inWorker()?.stderrIsTty ?? Boolean(process.stderr.isTTY);
}

/** Whether `argv` runs in a worker: an in-process command, asked for from the main thread. */
export function runsInHeapWorker(argv: readonly string[], command: string | undefined): boolean {
  if (!isMainThread || argv.includes('--help') || argv.includes('-h')) return false;
  return command === 'eval' || (command === 'dream' && argv.includes('--offline'));
}

/** The heap this process may use, in MB (what `--max-old-space-size` set, or V8's default). */
export function heapLimitMb(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20);
}

/** How the worker ended. */
export interface HeapWorkerEnd {
  exitCode: number;
  /** Its heap ran out. */
  outOfMemory: boolean;
  /** What it threw past `run` (which reports its own failures), if anything. */
  error: Error | null;
  /** The worker's old space, in MB. */
  limitMb: number;
  /** Whether `limitMb` is the `--max-old-space-size` given (else V8's whole default limit). */
  limitFromFlag: boolean;
}

/**
 * Runs `argv` through `entry` (a module exporting `run(argv)`) in a worker with this process's
 * heap, and resolves when it has ended.
 */
export function runInHeapWorker(entry: string, argv: string[]): Promise<HeapWorkerEnd> {
  // The old space this process was given, as the out-of-memory line names it; V8's whole limit
  // (which adds the young generation) when no flag set one.
  const flagMb = oldSpaceFlagMb();
  const limitMb = flagMb ?? heapLimitMb();
  const data: HeapWorkerData = {
    reverieHeapWorker: true,
    argv,
    stderrIsTty: Boolean(process.stderr.isTTY),
    lastWrite: new SharedArrayBuffer(8),
  };
  // On a terminal the progress line is redrawn in place; with --json stderr stays quiet.
  const stop =
    data.stderrIsTty || argv.includes('--json')
      ? () => undefined
      : heartbeat(data.lastWrite, HEARTBEAT_MS, (line) => process.stderr.write(line));
  // TypeScript is compiled on the fly here as in bin/reverie.js (the worker starts a new loader),
  // by its resolved path: an eval'd worker resolves a bare name from the working directory,
  // which is the user's folder, not the project, when the CLI runs from there.
  const source = [
    `require(${JSON.stringify(require.resolve('@swc-node/register'))});`,
    `const { workerData } = require('node:worker_threads');`,
    `require(${JSON.stringify(entry)}).run(workerData.argv);`,
  ].join('\n');
  return new Promise((resolve) => {
    let error: (Error & { code?: string }) | null = null;
    const worker = new Worker(source, {
      eval: true,
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: limitMb },
    });
    worker.on('error', (err: Error) => (error = err));
    worker.on('exit', (exitCode) => {
      stop();
      const outOfMemory = error?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      resolve({
        exitCode,
        outOfMemory,
        error: outOfMemory ? null : error,
        limitMb,
        limitFromFlag: flagMb !== null,
      });
    });
  });
}

/**
 * The `--max-old-space-size` this process was given (NODE_OPTIONS or its flags), or null: the heap
 * limit V8 reports adds the young generation to it (170 reads as 218 MB), so a message naming
 * the flag names the flag's value.
 */
export function oldSpaceFlagMb(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = nodeOptionsOf(),
): number | null {
  // NODE_OPTIONS is read first: a flag on the command line overrides it.
  const all = [...nodeOptions.split(/\s+/), ...execArgv];
  // Node takes either spelling.
  const values = all.flatMap((a) => /^--max[-_]old[-_]space[-_]size=(\d+)$/.exec(a)?.[1] ?? []);
  return values.length ? Number(values[values.length - 1]) : null;
}

/**
 * The one line the CLI prints when the worker's heap ran out: the heap it had (`fromFlag`: as
 * the flag set it) and a whole number of GB at least twice it to try, as the memory check before
 * loading suggests whole GB.
 */
export function outOfMemoryMessage(limitMb: number, fromFlag: boolean): string {
  const next = Math.ceil((2 * limitMb) / 1024) * 1024;
  return `ran out of memory: the work needed more than the ${limitMb} MB of heap Node gives this process${fromFlag ? ' (--max-old-space-size)' : ''}; run it again with more, e.g. NODE_OPTIONS=--max-old-space-size=${next} (README, "Size")`;
}
