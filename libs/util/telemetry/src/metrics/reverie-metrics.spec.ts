import { METRIC } from './metric-names';
import { ReverieMetrics } from './reverie-metrics';

describe('ReverieMetrics', () => {
  it('exposes each domain counter with bounded labels and the service label', async () => {
    const metrics = new ReverieMetrics('dreamer');
    metrics.httpRequest('GET', '/v1/dreams/:id', 200, 0.02);
    metrics.eventsStored(3);
    metrics.deadLetter('reverie-dreamer', 'reverie.dreams.v1');
    metrics.sessionRun('lunar-lander', 'completed');
    metrics.graded('satisfied');
    metrics.dreamEnded('completed', 12, { input_tokens: 100, output_tokens: 0 }, 40);
    metrics.webhookDelivery('retrying');
    const { body, contentType } = await metrics.exposition();
    expect(contentType).toMatch(/^text\/plain/);
    for (const line of [
      `${METRIC.httpRequests}{method="GET",route="/v1/dreams/:id",status="200",service="dreamer"} 1`,
      `${METRIC.eventsIngested}{service="dreamer"} 3`,
      `${METRIC.deadLettered}{group="reverie-dreamer",topic="reverie.dreams.v1",service="dreamer"} 1`,
      `${METRIC.sessionsRun}{environment="lunar-lander",status="completed",service="dreamer"} 1`,
      `${METRIC.grades}{result="satisfied",service="dreamer"} 1`,
      `${METRIC.dreams}{status="completed",service="dreamer"} 1`,
      `${METRIC.dreamDuration}_count{service="dreamer",status="completed"} 1`,
      `${METRIC.dreamTokens}{kind="input_tokens",service="dreamer"} 100`,
      `${METRIC.dreamSimulations}{service="dreamer"} 40`,
      `${METRIC.webhookDeliveries}{outcome="retrying",service="dreamer"} 1`,
    ])
      expect(body).toContain(line);
    // Zero token kinds add no series; default process metrics are there.
    expect(body).not.toContain('kind="output_tokens"');
    expect(body).toContain('process_cpu_user_seconds_total');
  });

  it('reads lag at scrape time and keeps the last rows when a source fails', async () => {
    const metrics = new ReverieMetrics('gateway');
    let lag = 7;
    let failing = false;
    metrics.addLagSource(async () => {
      if (failing) throw new Error('kafka down');
      return [{ group: 'g', topic: 't', partition: 2, lag }];
    });
    const series = `${METRIC.consumerLag}{group="g",topic="t",partition="2",service="gateway"}`;
    expect((await metrics.exposition()).body).toContain(`${series} 7`);
    lag = 9;
    expect((await metrics.exposition()).body).toContain(`${series} 9`);
    failing = true;
    expect((await metrics.exposition()).body).toContain(`${series} 9`);
  });

  it('keeps registries apart, so several services can run in one process', async () => {
    const a = new ReverieMetrics('a');
    const b = new ReverieMetrics('b');
    a.graded('failed');
    expect((await b.exposition()).body).not.toContain('result="failed"');
  });
});
