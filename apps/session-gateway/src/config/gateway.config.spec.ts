import { BUNDLED_DATASETS_DIR } from '@reverie/testing';
import { loadGatewayConfig } from './gateway.config';

const base = { MONGO_URL: 'mongodb://127.0.0.1:27017', KAFKA_BROKERS: '127.0.0.1:9092' };

describe('gateway config', () => {
  it('defaults to port 3000 with ingest on and bounded batches', () => {
    expect(loadGatewayConfig(base)).toMatchObject({
      service: 'session-gateway',
      port: 3000,
      ingestEnabled: true,
      maxEventsPerRequest: 500,
      maxEventBytes: 262_144,
      httpBodyLimit: '10mb',
    });
  });

  it("publishes a request's events as one message by default; EVENT_MESSAGES=single one each", () => {
    expect(loadGatewayConfig(base).eventMessages).toBe('batch');
    expect(loadGatewayConfig({ ...base, EVENT_MESSAGES: 'single' }).eventMessages).toBe('single');
    expect(() => loadGatewayConfig({ ...base, EVENT_MESSAGES: 'many' })).toThrow(/EVENT_MESSAGES/);
  });

  it('reads the datasets where the orchestrator does: DATASETS_DIR, else the bundled ones', () => {
    expect(loadGatewayConfig(base).datasetsDir).toBe(BUNDLED_DATASETS_DIR);
    expect(loadGatewayConfig({ ...base, DATASETS_DIR: '/data/sets' }).datasetsDir).toBe(
      '/data/sets',
    );
  });

  it('refuses limits that make no sense', () => {
    expect(() =>
      loadGatewayConfig({ ...base, MAX_EVENTS_PER_REQUEST: '0', HTTP_BODY_LIMIT: 'lots' }),
    ).toThrow(/MAX_EVENTS_PER_REQUEST.*HTTP_BODY_LIMIT must look like 512kb or 10mb/);
  });

  it('reads the webhook allow-list (none by default)', () => {
    expect(loadGatewayConfig(base).webhookAllowedHosts).toEqual([]);
    expect(
      loadGatewayConfig({ ...base, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost' })
        .webhookAllowedHosts,
    ).toEqual(['127.0.0.1', 'localhost']);
    expect(() => loadGatewayConfig({ ...base, WEBHOOK_ALLOWED_HOSTS: 'http://x' })).toThrow(
      /WEBHOOK_ALLOWED_HOSTS "http:\/\/x" is not a host name/,
    );
  });

  it('migrates at start by default; MIGRATIONS=check only checks; anything else is refused', () => {
    expect(loadGatewayConfig(base).migrations).toBe('run');
    expect(loadGatewayConfig({ ...base, MIGRATIONS: 'check' }).migrations).toBe('check');
    expect(() => loadGatewayConfig({ ...base, MIGRATIONS: 'yes' })).toThrow(/MIGRATIONS/);
  });

  it('reads the ingest knobs: partitions at once and messages per handler call', () => {
    expect(loadGatewayConfig(base)).toMatchObject({
      ingestPartitionsConcurrently: 3,
      ingestMaxBatch: 2_000,
    });
    expect(
      loadGatewayConfig({ ...base, INGEST_PARTITIONS_CONCURRENTLY: '1', INGEST_MAX_BATCH: '500' }),
    ).toMatchObject({ ingestPartitionsConcurrently: 1, ingestMaxBatch: 500 });
    expect(() => loadGatewayConfig({ ...base, INGEST_MAX_BATCH: '0' })).toThrow(/INGEST_MAX_BATCH/);
  });
});
