import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { startTracing, stopTracing, withLogScope, withSpan } from '@reverie/telemetry';
import { JsonLogger } from './json-logger';

describe('JsonLogger', () => {
  const capture = (level: 'debug' | 'info' | 'warn' | 'error' = 'info') => {
    const lines: Record<string, unknown>[] = [];
    const logger = new JsonLogger('session-gateway', level, (line) => lines.push(JSON.parse(line)));
    return { logger, lines };
  };

  it('writes one JSON object per line with service, level and context', () => {
    const { logger, lines } = capture();
    logger.log('listening', 'Bootstrap');
    expect(lines).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        service: 'session-gateway',
        context: 'Bootstrap',
        msg: 'listening',
      },
    ]);
  });

  it('keeps the stack of errors and drops levels below the threshold', () => {
    const { logger, lines } = capture('warn');
    logger.debug('noise');
    logger.log('noise');
    logger.error('boom', 'Error: boom\n    at x', 'Ingest');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'error',
        context: 'Ingest',
        msg: 'boom',
        stack: 'Error: boom\n    at x',
      }),
    ]);
  });

  it('puts the trace id, span id and tenant of the work on every line', async () => {
    startTracing({ serviceName: 'test', exporter: new InMemorySpanExporter() });
    try {
      const { logger, lines } = capture();
      const ids = await withSpan('ingest', {}, async (span) => {
        withLogScope({ tenant: () => 'acme' }, () => logger.log('stored 3 events', 'Ingest'));
        return span.spanContext();
      });
      expect(lines).toEqual([
        expect.objectContaining({
          msg: 'stored 3 events',
          trace_id: ids.traceId,
          span_id: ids.spanId,
          tenant: 'acme',
        }),
      ]);
      expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await stopTracing();
    }
  });

  it('writes readable lines with LOG_FORMAT=pretty', () => {
    const out: string[] = [];
    const logger = new JsonLogger('dreamer', 'info', (line) => out.push(line), 'pretty');
    withLogScope({ tenant: () => 'acme' }, () => logger.warn('dream drm_1 stopped', 'Dreamer'));
    expect(out).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[Dreamer\] dream drm_1 stopped {2}tenant=acme\n$/,
      ),
    ]);
  });
});
