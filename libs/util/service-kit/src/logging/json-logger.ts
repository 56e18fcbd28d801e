import type { LoggerService } from '@nestjs/common';
import { logFields, type LogFormat } from '@reverie/telemetry';
import type { LogLevelName } from '../config/service-config';

const RANK: Record<LogLevelName, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Nest's logger, writing one JSON object per line (time, level, service, context, msg, and
 * `trace_id`, `span_id` and `tenant` of the work the line belongs to), which is what log
 * collectors on Kubernetes expect. `LOG_FORMAT=pretty` writes the same fields as a readable line.
 */
export class JsonLogger implements LoggerService {
  constructor(
    private readonly service: string,
    private readonly level: LogLevelName = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    private readonly format: LogFormat = 'json',
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.emit('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.emit('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.emit('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.emit('debug', message, rest);
  }

  private emit(level: LogLevelName, message: unknown, rest: unknown[]): void {
    if (RANK[level] < RANK[this.level]) return;
    // Nest passes (message, context) or, for errors, (message, stack, context).
    const strings = rest.filter((r): r is string => typeof r === 'string');
    const context = strings.length ? strings[strings.length - 1] : undefined;
    const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      context,
      msg: message instanceof Error ? message.message : message,
      ...logFields(),
    };
    if (message instanceof Error) entry['stack'] = message.stack;
    if (stack) entry['stack'] = stack;
    this.write(this.format === 'pretty' ? pretty(entry) : `${JSON.stringify(entry)}\n`);
  }
}

/** `12:00:01.123 INFO  [Context] message  tenant=acme trace=4bf9…`, then the stack if any. */
function pretty(entry: Record<string, unknown>): string {
  const { time, level, context, msg, stack, trace_id, tenant } = entry;
  const tags = [
    tenant ? `tenant=${String(tenant)}` : '',
    trace_id ? `trace=${String(trace_id)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const text = typeof msg === 'string' ? msg : JSON.stringify(msg);
  const head = `${String(time).slice(11, 23)} ${String(level).toUpperCase().padEnd(5)} ${context ? `[${String(context)}] ` : ''}${text}${tags ? `  ${tags}` : ''}`;
  return `${head}\n${stack ? `${String(stack)}\n` : ''}`;
}
