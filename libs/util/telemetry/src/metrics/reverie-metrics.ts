import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRIC } from './metric-names';

/** One partition's lag as a lag source reports it. */
export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** Reads consumer lag when Prometheus scrapes (the Kafka transport registers one per group). */
export type LagSource = () => Promise<PartitionLag[]>;

/** How long a scrape waits for Kafka's offsets before it answers with the last lag it knows. */
const LAG_READ_TIMEOUT_MS = 2_000;

/** Token kinds of a dream's usage, the `kind` label of the token counter. */
export type TokenKind =
  'input_tokens' | 'output_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens';

/**
 * A service's Prometheus metrics, on a registry of its own (several services can run in one
 * process, as in the tests). Domains call the methods below and never import prom-client.
 *
 * Labels stay bounded: routes are Express route templates (`/v1/sessions/:id`), statuses and
 * results are the API's enums, topics and partitions are the configured ones, environments are
 * the registered plug-ins. Tenant ids are never labels: a platform has unboundedly many tenants,
 * and each would multiply every series; per-tenant figures come from the API (usage, dreams).
 */
export class ReverieMetrics {
  readonly registry = new Registry();
  private readonly lagSources = new Set<LagSource>();
  private readonly lastLag = new Map<string, PartitionLag>();

  private readonly httpRequests = this.counter(
    METRIC.httpRequests,
    'HTTP requests answered, by method, route template and status code',
    ['method', 'route', 'status'],
  );
  private readonly httpDuration = new Histogram({
    name: METRIC.httpDuration,
    help: 'HTTP request latency in seconds, by method and route template',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly eventsIngested = this.counter(
    METRIC.eventsIngested,
    'Session events stored in MongoDB by the ingest consumer (re-deliveries not counted)',
    [],
  );
  private readonly messagesHandled = this.counter(
    METRIC.messagesHandled,
    'Kafka messages handed to a handler that finished, by consumer group and topic',
    ['group', 'topic'],
  );
  private readonly deadLettered = this.counter(
    METRIC.deadLettered,
    'Kafka messages parked on <topic>.dlq, by consumer group and original topic',
    ['group', 'topic'],
  );
  private readonly sessionsRun = this.counter(
    METRIC.sessionsRun,
    'Managed sessions the orchestrator ran to their end, by environment and status',
    ['environment', 'status'],
  );
  private readonly grades = this.counter(
    METRIC.grades,
    'Sessions graded against their outcome rubric, by result',
    ['result'],
  );
  private readonly dreams = this.counter(
    METRIC.dreams,
    'Dreams ended, by status (completed, failed, canceled)',
    ['status'],
  );
  private readonly dreamDuration = new Histogram({
    name: METRIC.dreamDuration,
    help: 'Time a dream ran on this replica until it ended, in seconds, by status',
    labelNames: ['status'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  private readonly dreamTokens = this.counter(
    METRIC.dreamTokens,
    'Model tokens spent by ended dreams, by kind',
    ['kind'],
  );
  private readonly dreamSimulations = this.counter(
    METRIC.dreamSimulations,
    'Sandbox simulations run by ended dreams',
    [],
  );
  private readonly webhookDeliveries = this.counter(
    METRIC.webhookDeliveries,
    'Webhook delivery attempts, by outcome (succeeded, retrying: another attempt is scheduled, failed: given up)',
    ['outcome'],
  );

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    const readLag = () => this.readLag();
    new Gauge({
      name: METRIC.consumerLag,
      help: 'Messages not yet consumed (log end offset minus committed offset), by consumer group, topic and partition; read from Kafka at scrape time',
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
      async collect() {
        for (const row of await readLag())
          this.set(
            { group: row.group, topic: row.topic, partition: String(row.partition) },
            row.lag,
          );
      },
    });
  }

  /** Text exposition for `/metrics`. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }

  eventsStored(count: number): void {
    if (count > 0) this.eventsIngested.inc(count);
  }

  handled(group: string, topic: string, count: number): void {
    if (count > 0) this.messagesHandled.inc({ group, topic }, count);
  }

  deadLetter(group: string, topic: string): void {
    this.deadLettered.inc({ group, topic });
  }

  sessionRun(environment: string, status: string): void {
    this.sessionsRun.inc({ environment, status });
  }

  graded(result: string): void {
    this.grades.inc({ result });
  }

  /** `seconds` null: the dream's run time is unknown here (failed by the sweep after its replica died). */
  dreamEnded(
    status: string,
    seconds: number | null,
    usage: Partial<Record<TokenKind, number>>,
    simulations: number,
  ): void {
    this.dreams.inc({ status });
    if (seconds !== null) this.dreamDuration.observe({ status }, seconds);
    for (const [kind, n] of Object.entries(usage))
      if (typeof n === 'number' && n > 0) this.dreamTokens.inc({ kind }, n);
    if (simulations > 0) this.dreamSimulations.inc(simulations);
  }

  webhookDelivery(outcome: 'succeeded' | 'retrying' | 'failed'): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** Registers a consumer lag reader; returns its unregistration. */
  addLagSource(source: LagSource): () => void {
    this.lagSources.add(source);
    return () => this.lagSources.delete(source);
  }

  /**
   * Current lag from every source, each bounded by a timeout: a source that fails or is slow
   * (Kafka down) keeps its last known rows, so a scrape never hangs on Kafka.
   */
  private async readLag(): Promise<PartitionLag[]> {
    await Promise.all(
      [...this.lagSources].map(async (source) => {
        const rows = await withTimeout(source(), LAG_READ_TIMEOUT_MS).catch(() => undefined);
        for (const row of rows ?? [])
          this.lastLag.set(`${row.group}/${row.topic}/${row.partition}`, row);
      }),
    );
    return [...this.lastLag.values()];
  }

  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
