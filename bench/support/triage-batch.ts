import { createApiKey } from '@reverie/sessions-feature';
import { datasetTasks } from '../../tools/cli/src/commands/dataset';
import { BenchError } from './bench-stack';

export interface BatchCounts {
  running: number;
  completed: number;
  failed: number;
  canceled: number;
}

interface BatchState {
  id: string;
  total: number;
  counts: BatchCounts;
  done: boolean;
}

/** What the gateway's REST API answers; anything else is a one-line error. */
async function call<T>(
  baseUrl: string,
  token: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new BenchError(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

export interface TriageClient {
  tenantId: string;
  agentId: string;
  /** Starts a batch; resolves with its id once the gateway answered 201. */
  startBatch(title: string, tasks: { caseId: string }[]): Promise<string>;
  batch(id: string): Promise<BatchState>;
}

/**
 * An API key (made in MongoDB, as `npm run api-key` does: the API has no key endpoint) and a
 * builtin agent made over HTTP, as a user of `reverie batch` would have.
 */
export async function triageClient(
  baseUrl: string,
  mongo: { url: string; db: string },
  tenantId: string,
): Promise<TriageClient> {
  const { token } = await createApiKey(mongo, tenantId, 'bench');
  const agent = await call<{ id: string }>(baseUrl, token, 'POST', '/v1/agents', {
    name: 'bench-ci-triage',
    model: { provider: 'builtin' },
  });
  return {
    tenantId,
    agentId: agent.id,
    startBatch: async (title, tasks) => {
      const batch = await call<BatchState>(baseUrl, token, 'POST', '/v1/batches', {
        agentId: agent.id,
        title,
        run: { environment: 'ci-log-triage', model: { provider: 'builtin' } },
        tasks,
      });
      return batch.id;
    },
    // limit=1: progress only, not the page of sessions.
    batch: (id) => call<BatchState>(baseUrl, token, 'GET', `/v1/batches/${id}?limit=1`),
  };
}

/** The dataset's cases (as `reverie batch` lists them), repeated until there are `count`. */
export function triageTasks(datasetsDir: string, count: number): { caseId: string }[] {
  const dir = `${datasetsDir}/ci-breakages`;
  let once: { caseId: string }[];
  try {
    once = datasetTasks(dir, 'all', 1);
  } catch (err) {
    throw new BenchError((err as Error).message);
  }
  return Array.from({ length: count }, (_, i) => once[i % once.length]);
}

export interface BatchTiming {
  batchId: string;
  sessions: number;
  /** From just before the POST until a poll first saw the batch done. */
  ms: number;
  counts: BatchCounts;
}

/**
 * POSTs a batch and polls it every `pollMs` until done; the time runs from the POST to the first
 * poll that saw it done (so it is at most `pollMs` late).
 */
export async function runBatch(
  client: TriageClient,
  title: string,
  tasks: { caseId: string }[],
  pollMs: number,
  timeoutMs: number,
  onPoll: (ended: number, counts: BatchCounts) => void,
): Promise<BatchTiming> {
  const start = performance.now();
  const batchId = await client.startBatch(title, tasks);
  const deadline = start + timeoutMs;
  for (;;) {
    const state = await client.batch(batchId);
    const now = performance.now();
    const { completed, failed, canceled } = state.counts;
    onPoll(completed + failed + canceled, state.counts);
    if (state.done) {
      return { batchId, sessions: state.total, ms: now - start, counts: state.counts };
    }
    if (now > deadline) {
      throw new BenchError(
        `batch ${batchId} not done after ${timeoutMs / 1000}s: ${completed} completed, ${failed} failed, ${state.counts.running} running of ${state.total}; raise --timeout or lower --repeat`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
