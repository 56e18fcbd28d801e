import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { SessionEventBody } from '@reverie/contracts';
import { expectEventually, type ApiClient } from '@reverie/testing';
import type { Connection, mongo } from 'mongoose';
import { setTimeout as delay } from 'node:timers/promises';
import { readAllEvents } from '../gateway.harness';

/** What one client saw while it sent its batches. */
export interface SendLog {
  /** clientEventIds of every batch answered 202, in the order they were accepted. */
  accepted: string[];
  /** Answers other than 202 before a batch was accepted (503, or `no answer` when it failed). */
  refusals: string[];
}

/**
 * A client as the API asks it to behave when a dependency is down: a 503 is retried after its
 * `Retry-After`; no answer at all (the gateway restarting) is retried after a second. Any other
 * status is a failure of the test. Gives up after `deadlineMs` per batch.
 */
export class RetryingSender {
  readonly log: SendLog = { accepted: [], refusals: [] };

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly deadlineMs = 180_000,
  ) {}

  /** Posts one batch until it is accepted with 202. */
  async send(sessionId: string, events: SessionEventBody[]): Promise<void> {
    const giveUpAt = Date.now() + this.deadlineMs;
    for (;;) {
      const answer = await this.post(`/v1/sessions/${sessionId}/events`, { events });
      if (answer.status === 202) {
        this.log.accepted.push(...events.map((e) => e.clientEventId));
        return;
      }
      if (answer.status !== 503 && answer.status !== 0) {
        throw new Error(`a batch was answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      }
      this.log.refusals.push(answer.status === 0 ? 'no answer' : '503');
      if (Date.now() > giveUpAt) {
        throw new Error(`a batch was still refused after ${this.deadlineMs} ms (${answer.text})`);
      }
      if (answer.status === 503 && !(Number(answer.retryAfter) > 0)) {
        throw new Error('a 503 came without Retry-After');
      }
      await delay(answer.status === 503 ? Number(answer.retryAfter) * 1_000 : 1_000);
    }
  }

  /**
   * Sends `batches` one after the other (a client waits for each answer); a generator can decide
   * from the log when to stop.
   */
  async sendAll(sessionId: string, batches: Iterable<SessionEventBody[]>): Promise<void> {
    for (const batch of batches) await this.send(sessionId, batch);
  }

  private async post(path: string, body: unknown) {
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'x-api-key': this.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        // Far above our own 503 deadline (about 5 s); a request that hangs counts as no answer.
        signal: AbortSignal.timeout(20_000),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        text: await response.text(),
      };
    } catch (err) {
      return { status: 0, retryAfter: null, text: (err as Error).message };
    }
  }
}

/** `count` events in batches of `size`, ids `<prefix>-<n>`. */
export function inBatches(events: SessionEventBody[], size: number): SessionEventBody[][] {
  return Array.from({ length: Math.ceil(events.length / size) }, (_, i) =>
    events.slice(i * size, i * size + size),
  );
}

/**
 * Waits until the session's stored events are exactly `expected` (each once, nothing else) with
 * seq 1..n; returns them. A lost event never arrives and a duplicate never goes away, so both
 * fail here once the deadline passes, with the difference in the message.
 */
export async function expectStoredExactlyOnce(
  api: ApiClient,
  sessionId: string,
  expected: Iterable<string>,
  timeoutMs = 120_000,
) {
  const want = [...new Set(expected)].sort();
  return expectEventually(
    async () => {
      const stored = await readAllEvents(api, sessionId, 1_000);
      const ids = stored.map((e) => e.clientEventId);
      const have = new Set(ids);
      const missing = want.filter((id) => !have.has(id));
      const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
      const unexpected = ids.filter((id) => !want.includes(id));
      const misplaced = stored.filter((e, i) => e.seq !== i + 1).map((e) => e.seq);
      if (missing.length + duplicates.length + unexpected.length + misplaced.length > 0) {
        throw new Error(
          `session ${sessionId}: ${ids.length} stored, ${want.length} expected; ` +
            `missing ${missing.length} (${missing.slice(0, 5).join(', ')}), ` +
            `duplicated ${duplicates.length} (${duplicates.slice(0, 5).join(', ')}), ` +
            `unexpected ${unexpected.length}, seq out of place ${misplaced.slice(0, 5).join(', ') || 'none'}`,
        );
      }
      return stored;
    },
    { timeoutMs, intervalMs: 1_000 },
  );
}

/**
 * What the gateway's MongoDB driver saw of its server during a fault spec, for the failure
 * message: heartbeats, server description changes and pool clears, timed from the start of the
 * watch, with repeats folded. A heartbeat that started and never ended is the sign of a monitor
 * that stopped checking (every operation then fails server selection with the same error long
 * after MongoDB is back; see `guardDriverWrites` in the service kit).
 */
export function watchMongoDriver(app: INestApplication) {
  const client = app.get<Connection>(getConnectionToken()).getClient();
  const start = Date.now();
  const seconds = (at = Date.now()) => `${((at - start) / 1_000).toFixed(1)} s`;
  const lines: { text: string; at: number; times: number }[] = [];
  let heartbeatSince: number | undefined;
  const note = (text: string) => {
    const last = lines[lines.length - 1];
    if (last?.text === text) {
      last.times += 1;
      return;
    }
    lines.push({ text, at: Date.now(), times: 1 });
    // Bounded: a long outage fails a heartbeat twice a second, and the folding keeps most of it.
    if (lines.length > 500) lines.splice(0, lines.length - 500);
  };
  const onStarted = () => {
    heartbeatSince = Date.now();
  };
  const onSucceeded = () => {
    heartbeatSince = undefined;
    note('heartbeat succeeded');
  };
  const onFailed = (event: mongo.ServerHeartbeatFailedEvent) => {
    heartbeatSince = undefined;
    note(`heartbeat failed: ${event.failure.message}`);
  };
  const onChanged = ({
    previousDescription,
    newDescription,
  }: mongo.ServerDescriptionChangedEvent) =>
    note(
      `server ${previousDescription.type} -> ${newDescription.type}` +
        (newDescription.error ? `: ${newDescription.error.message}` : ''),
    );
  // The driver's events and what each notes; registered and removed together.
  const listeners = {
    serverHeartbeatStarted: onStarted,
    serverHeartbeatSucceeded: onSucceeded,
    serverHeartbeatFailed: onFailed,
    serverDescriptionChanged: onChanged,
    connectionPoolCleared: () => note('connection pool cleared'),
    connectionPoolReady: () => note('connection pool ready'),
  };
  for (const [event, listener] of Object.entries(listeners)) client.on(event, listener);
  return {
    /** Puts a step of the spec (stop, start) on the timeline. */
    mark: (step: string) => note(`-- ${step}`),
    timeline: () =>
      [
        ...lines.map(
          ({ text, at, times }) => `${seconds(at)} ${text}${times > 1 ? ` (x${times})` : ''}`,
        ),
        heartbeatSince === undefined
          ? `${seconds()} no heartbeat in progress`
          : `${seconds()} the heartbeat started at ${seconds(heartbeatSince)} has not ended`,
      ].join('\n'),
    stop: () => {
      for (const [event, listener] of Object.entries(listeners)) client.off(event, listener);
    },
  };
}
