import { z } from 'zod';

/**
 * Environment variables of metrics, traces and logs, spread into every service's env schema.
 * Tracing is off unless an OTLP endpoint is set; the names are OpenTelemetry's own, so a platform
 * team's usual settings work unchanged.
 */
export const telemetryEnvShape = {
  /** `json` (one object a line, the default) or `pretty` (readable, for a terminal). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  /** OTLP/HTTP collector base URL (`/v1/traces` is appended), e.g. http://otel-collector:4318. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ error: 'must be a URL such as http://otel-collector:4318' })
    .optional(),
  /** Full OTLP/HTTP traces URL; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url({ error: 'must be a URL such as http://otel-collector:4318/v1/traces' })
    .optional(),
  /** `none` turns tracing off even with an endpoint set. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none']).default('otlp'),
  /** Share of new traces recorded (0 to 1); a trace begun upstream follows its parent's choice. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** The `service.name` of spans; default: the service's own name. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};

export type LogFormat = 'json' | 'pretty';

/** What a service's telemetry needs, from `telemetryFrom`. */
export interface TelemetrySettings {
  logFormat: LogFormat;
  /** The OTLP/HTTP traces URL; absent: tracing off. */
  tracesUrl?: string;
  sampleRatio: number;
  serviceName?: string;
}

export function telemetryFrom(parsed: {
  LOG_FORMAT: LogFormat;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  OTEL_TRACES_EXPORTER: 'otlp' | 'none';
  OTEL_TRACES_SAMPLER_ARG: number;
  OTEL_SERVICE_NAME?: string;
}): TelemetrySettings {
  const base = parsed.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, '');
  const url = parsed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base ? `${base}/v1/traces` : undefined);
  return {
    logFormat: parsed.LOG_FORMAT,
    tracesUrl: parsed.OTEL_TRACES_EXPORTER === 'none' ? undefined : url,
    sampleRatio: parsed.OTEL_TRACES_SAMPLER_ARG,
    serviceName: parsed.OTEL_SERVICE_NAME,
  };
}
