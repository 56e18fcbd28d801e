import { z } from 'zod';
import { telemetryEnvShape, telemetryFrom } from './telemetry-config';

const parse = (env: Record<string, string>) =>
  telemetryFrom(z.object(telemetryEnvShape).parse(env));

describe('telemetryFrom', () => {
  it('leaves tracing off and logs JSON by default', () => {
    expect(parse({})).toEqual({
      logFormat: 'json',
      tracesUrl: undefined,
      sampleRatio: 1,
      serviceName: undefined,
    });
  });

  it('appends /v1/traces to the OTLP base endpoint; the traces endpoint wins; none turns it off', () => {
    expect(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      parse({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://other:4318/traces',
      }).tracesUrl,
    ).toBe('http://other:4318/traces');
    expect(
      parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })
        .tracesUrl,
    ).toBeUndefined();
  });

  it('refuses a format or endpoint it does not know', () => {
    expect(() => parse({ LOG_FORMAT: 'xml' })).toThrow();
    expect(() => parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/must be a URL/);
  });
});
