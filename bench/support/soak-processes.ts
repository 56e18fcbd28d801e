/**
 * The soak bench's moving parts: a gateway replica as its own process (so it can be killed and
 * started again) and a client that sends like the API asks (retry a 503 after Retry-After, try
 * another replica when one does not answer).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const repoRoot = join(__dirname, '../..');

export { freePort } from '@reverie/testing';

/** One Reverie service (`apps/<app>`) as its own process, run from source like the benches. */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly baseUrl: string;

  constructor(
    readonly name: string,
    private readonly app: string,
    private readonly env: Record<string, string>,
    private readonly port: number,
    private readonly logFile: string,
    /** Node flags NODE_OPTIONS may not carry (`--cpu-prof`). */
    private readonly nodeArgs: readonly string[] = [],
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /** The process id while it runs (for the benches that read its CPU and memory from /proc). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  /** Started and not exited yet. */
  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** Starts it and waits until /health/ready answers 200. */
  async start(timeoutMs = 180_000): Promise<void> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(
      process.execPath,
      [...this.nodeArgs, '-r', '@swc-node/register', `apps/${this.app}/src/main.ts`],
      {
        cwd: repoRoot,
        env: { ...process.env, ...this.env, PORT: String(this.port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`${this.name} exited with ${child.exitCode}; see ${this.logFile}`);
      }
      const status = await fetch(`${this.baseUrl}/health/ready`, {
        signal: AbortSignal.timeout(5_000),
      }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready; see ${this.logFile}`);
      await delay(500);
    }
  }

  /** SIGTERM (graceful: the batch in flight is finished) or SIGKILL (a crash); waits for the exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = this.child;
    // A child ended by a signal has exitCode null (its signalCode set): waiting for its 'exit'
    // then would wait forever, e.g. a SIGKILL in the cleanup after a SIGTERM in the bench.
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  /**
   * SIGTERM, then SIGKILL if it has not exited within `timeoutMs`: a replica that shuts down
   * cleanly writes what it writes on exit (a V8 `--cpu-prof` profile, say); one that hangs is
   * still ended.
   */
  async stopGracefully(timeoutMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => this.running && child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** One session-gateway replica. */
export class GatewayProcess extends ServiceProcess {
  constructor(
    name: string,
    env: Record<string, string>,
    port: number,
    logFile: string,
    nodeArgs: readonly string[] = [],
  ) {
    super(name, 'session-gateway', env, port, logFile, nodeArgs);
  }
}

export interface SendStats {
  /** Events in every request answered 202 (re-sends included). */
  sent: number;
  /** Requests answered 202. */
  requests: number;
  /** 503s and requests that got no answer, each retried. */
  refusals503: number;
  noAnswer: number;
}

/** Posts one batch until a replica answers 202, moving to the next replica when one fails. */
export async function sendUntilAccepted(
  replicas: string[],
  start: number,
  apiKey: string,
  sessionId: string,
  body: string,
  stats: SendStats,
  deadlineMs = 10 * 60_000,
): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  for (let i = start; ; i++) {
    const url = `${replicas[i % replicas.length]}/v1/sessions/${sessionId}/events`;
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(30_000),
    }).then(
      async (r) => ({
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        text: await r.text(),
      }),
      (err: Error) => ({ status: 0, retryAfter: null, text: err.message }),
    );
    if (answer.status === 202) {
      stats.requests++;
      return;
    }
    if (answer.status !== 503 && answer.status !== 0) {
      throw new Error(`a batch was answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
    if (Date.now() > giveUpAt) throw new Error(`a batch was refused for ${deadlineMs} ms`);
    if (answer.status === 503) stats.refusals503++;
    else stats.noAnswer++;
    const wait = answer.status === 503 ? Number(answer.retryAfter ?? 1) * 1_000 : 1_000;
    await delay(wait);
  }
}
