import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LandingResult, RoleRules, Scenario } from '@reverie/lunar-lander';
import { flyResult } from './fly-job';

/** The project's tsconfig, for workers that load this library's TypeScript sources. */
const SOURCE_TSCONFIG = join(__dirname, '../../../../../tsconfig.base.json');

/** One flight: the builtin team with `rules` on `scenario`. */
export interface FlightJob {
  scenario: Scenario;
  rules: RoleRules;
}

interface Pending {
  job: FlightJob;
  resolve: (r: LandingResult) => void;
  reject: (e: Error) => void;
}

/**
 * Flies simulations over `node:worker_threads` so a dream uses every core it is given. `size`
 * workers (default: the machine's parallelism less one, at least 1); size 1 flies in-process.
 * Flights are pure functions of (scenario, rules) and `flyAll` returns results in job order, so
 * the results, and everything computed from them, are the same whatever the pool size.
 *
 * The worker runs the compiled `flight.worker.js` beside this file in a build; from TypeScript
 * sources (tests, `node -r @swc-node/register`) it loads the `.ts` through @swc-node/register.
 */
export class FlightPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private closed = false;
  /** Flights flown through this pool. */
  flown = 0;

  constructor(size?: number) {
    const wanted = size ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(wanted) || wanted < 1)
      throw new Error(`flight pool size must be a whole number of at least 1, got ${wanted}`);
    this.size = wanted;
  }

  /** Flies every job; results in job order. */
  async flyAll(jobs: readonly FlightJob[]): Promise<LandingResult[]> {
    if (this.closed) throw new Error('the flight pool is closed');
    this.flown += jobs.length;
    if (this.size === 1) {
      const out: LandingResult[] = [];
      for (const job of jobs) {
        // Let timers and I/O run between flights (a dream runs inside a service's event loop).
        await new Promise<void>((r) => setImmediate(r));
        out.push(await flyResult(job.scenario, job.rules));
      }
      return out;
    }
    return Promise.all(jobs.map((job) => this.enqueue(job)));
  }

  /** Stops the workers; the pool refuses work afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.workers];
    for (const p of this.queue.splice(0)) p.reject(new Error('the flight pool was closed'));
    for (const w of workers) this.retire(w, new Error('the flight pool was closed'));
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private enqueue(job: FlightJob): Promise<LandingResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length) {
      const worker = this.idle.pop() ?? (this.workers.length < this.size ? this.spawn() : null);
      if (!worker) return;
      const next = this.queue.shift()!;
      this.running.set(worker, next);
      // Held while it flies (a pending flight keeps the process alive), released when idle.
      worker.ref();
      worker.postMessage(next.job);
    }
  }

  private spawn(): Worker {
    const compiled = __filename.endsWith('.js');
    const file = join(__dirname, `flight.worker.${compiled ? 'js' : 'ts'}`);
    const worker = compiled
      ? new Worker(file)
      : // Resolved here, with the project's tsconfig (its @reverie/* paths): an eval'd worker
        // resolves both from the working directory, which need not be the project.
        new Worker(
          [
            `process.env.SWC_NODE_PROJECT ||= ${JSON.stringify(SOURCE_TSCONFIG)};`,
            `require(${JSON.stringify(require.resolve('@swc-node/register'))});`,
            `require(${JSON.stringify(file)});`,
          ].join('\n'),
          { eval: true },
        );
    worker.on('message', (msg: { result?: LandingResult; error?: string }) => {
      const p = this.running.get(worker);
      this.running.delete(worker);
      this.idle.push(worker);
      worker.unref();
      if (p) {
        if (msg.error !== undefined) p.reject(new Error(`flight failed in a worker: ${msg.error}`));
        else p.resolve(msg.result!);
      }
      this.pump();
    });
    // A worker that throws or exits (a crash, an OOM kill, a terminate) is replaced on demand,
    // whether it was flying or idle: its flight fails with the reason and nothing waits forever.
    worker.on('error', (err) => this.retire(worker, err));
    worker.on('exit', (code) =>
      this.retire(worker, new Error(`a flight worker exited (code ${code}) during the flight`)),
    );
    worker.unref();
    this.workers.push(worker);
    return worker;
  }

  /** Forgets a worker that errored or exited; its flight, if any, fails with `reason`. */
  private retire(worker: Worker, reason: Error): void {
    const known = this.workers.indexOf(worker);
    if (known < 0) return; // already retired (an error is followed by an exit)
    this.workers.splice(known, 1);
    const idle = this.idle.indexOf(worker);
    if (idle >= 0) this.idle.splice(idle, 1);
    const p = this.running.get(worker);
    this.running.delete(worker);
    p?.reject(reason);
    if (!this.closed) this.pump();
  }
}

const shared = new Map<number, FlightPool>();

/**
 * One pool per size for the whole process, reused by every dream (workers cost a start-up each;
 * idle ones do not keep the process alive).
 */
export function sharedFlightPool(size?: number): FlightPool {
  const key = size ?? 0;
  let pool = shared.get(key);
  if (!pool) {
    pool = new FlightPool(size);
    shared.set(key, pool);
  }
  return pool;
}
