import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AnthropicError,
} from '@anthropic-ai/sdk';
import { fromMessage, toMessageParams } from './anthropic-mapping';
import type { ModelProvider, ModelRequest, ModelResponse } from './model-provider';
import { ModelProviderError } from './model-provider.error';
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  retryDelayMs,
  type RetryPolicy,
} from './retry-policy';

/** Where retries are reported; a Nest `Logger` fits. */
export interface ProviderLogger {
  warn(message: string): void;
}

export interface AnthropicProviderOptions {
  /** Read it in the service's config and pass it here; libraries don't read the environment. */
  apiKey: string;
  /** A gateway, or a local test server. */
  baseURL?: string;
  /** Per attempt, until the response headers arrive. */
  timeoutMs?: number;
  /** Default when a request names no model (per-agent and per-role settings go in the request). */
  model?: string;
  /** Default when a request sets no maxTokens. */
  maxTokens?: number;
  /**
   * Must stay unset: API version 2026-10-21, which SDK 1.x speaks, removed the sampling
   * parameters and answers 400 to any of them. Here so a setting that carries one fails clearly.
   */
  temperature?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * Waits between retries (ending early when the request's signal fires); tests inject one that
   * returns at once and records the delay.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source, in [0, 1). */
  random?: () => number;
  logger?: ProviderLogger;
}

export const ANTHROPIC_DEFAULTS = {
  baseURL: 'https://api.anthropic.com',
  timeoutMs: 120_000,
  maxTokens: 4096,
} as const;

/** Waits `ms`, or until the signal fires (its timer then cleared, so nothing is left pending). */
function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The Messages API through `@anthropic-ai/sdk`. Retries are ours, not the SDK's (the client runs
 * with `maxRetries: 0`), so that they are bounded, logged and testable without real waits.
 */
export class AnthropicProvider implements ModelProvider {
  readonly name = 'anthropic';
  private readonly client: Anthropic;
  private readonly baseURL: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly logger: ProviderLogger;

  constructor(private readonly options: AnthropicProviderOptions) {
    if (!options.apiKey) {
      throw new ModelProviderError(
        'the anthropic provider needs an apiKey: read it in the service config (e.g. ANTHROPIC_API_KEY) and pass it in the provider options',
        { provider: this.name, kind: 'configuration' },
      );
    }
    if (options.temperature !== undefined) throw temperatureUnsupported(this.name);
    this.baseURL = options.baseURL ?? ANTHROPIC_DEFAULTS.baseURL;
    this.timeoutMs = options.timeoutMs ?? ANTHROPIC_DEFAULTS.timeoutMs;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? console;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: this.baseURL,
      timeout: this.timeoutMs,
      maxRetries: 0,
    });
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const model = request.model ?? this.options.model;
    if (!model) {
      throw new ModelProviderError(
        'no model to call: set `model` in the agent or role model settings, or a default model in the anthropic provider options',
        { provider: this.name, kind: 'configuration' },
      );
    }
    if (request.temperature !== undefined) throw temperatureUnsupported(this.name);
    const params = toMessageParams(
      request,
      model,
      request.maxTokens ?? this.options.maxTokens ?? ANTHROPIC_DEFAULTS.maxTokens,
    );
    const attempts = this.retry.maxRetries + 1;
    const { signal } = request;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw this.aborted(attempt - 1);
      try {
        return fromMessage(await this.client.messages.create(params, { signal }));
      } catch (err) {
        if (err instanceof APIUserAbortError) throw this.aborted(attempt);
        const retryable = isRetryable(err);
        if (!retryable || attempt >= attempts) throw this.toProviderError(err, attempt, retryable);
        const delay = retryDelayMs(attempt, this.retry, (err as APIError).headers, this.random);
        this.logger.warn(
          `anthropic: ${describe(err)} (attempt ${attempt} of ${attempts}); retrying in ${delay} ms`,
        );
        await this.sleep(delay, signal);
      }
    }
  }

  private aborted(attempts: number): ModelProviderError {
    return new ModelProviderError(
      `the call to the Anthropic Messages API at ${this.baseURL} was aborted by its caller after ${attempts} attempt(s)`,
      { provider: this.name, kind: 'aborted', attempts },
    );
  }

  private toProviderError(err: unknown, attempts: number, retryable: boolean): unknown {
    const provider = this.name;
    const api = `the Anthropic Messages API at ${this.baseURL}`;
    if (err instanceof APIConnectionTimeoutError) {
      return new ModelProviderError(
        `${api} did not answer within ${this.timeoutMs} ms; raise the provider's timeoutMs or lower maxTokens`,
        { provider, kind: 'timeout', attempts, cause: err },
      );
    }
    if (err instanceof APIConnectionError) {
      const reason = err.cause instanceof Error ? err.cause.message : err.message;
      return new ModelProviderError(
        `could not reach ${api} (${reason}) after ${attempts} attempt(s); check the baseURL and the network`,
        { provider, kind: 'connection', attempts, cause: err },
      );
    }
    if (err instanceof APIError && err.status !== undefined) {
      const details = {
        provider,
        status: err.status,
        type: err.type ?? undefined,
        apiMessage: err.apiMessage ?? undefined,
        requestId: err.requestID ?? undefined,
        attempts,
        cause: err,
      };
      const what = `${api} answered ${describe(err)}`;
      return retryable
        ? new ModelProviderError(
            `${what}; gave up after ${attempts} attempts: try again later or raise retry.maxRetries`,
            { ...details, kind: 'unavailable' },
          )
        : new ModelProviderError(`${what}; not retried: ${hintFor(err.status)}`, {
            ...details,
            kind: 'rejected',
          });
    }
    if (err instanceof AnthropicError) {
      return new ModelProviderError(`the anthropic client failed: ${err.message}`, {
        provider,
        kind: 'configuration',
        cause: err,
      });
    }
    return err;
  }
}

function temperatureUnsupported(provider: string): ModelProviderError {
  return new ModelProviderError(
    'temperature is not accepted by the Anthropic Messages API version 2026-10-21 (sent by @anthropic-ai/sdk 1.x): remove it from the model settings',
    { provider, kind: 'configuration' },
  );
}

function isRetryable(err: unknown): boolean {
  // A timed-out call may still be running (and billing) on the server: don't stack another.
  if (err instanceof APIConnectionTimeoutError) return false;
  if (err instanceof APIConnectionError) return true;
  return err instanceof APIError && err.status !== undefined && isRetryableStatus(err.status);
}

function describe(err: unknown): string {
  if (err instanceof APIError && err.status !== undefined) {
    const type = err.type ? ` ${err.type}` : '';
    const message = err.apiMessage ? `: ${err.apiMessage}` : '';
    return `${err.status}${type}${message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function hintFor(status: number): string {
  switch (status) {
    case 401:
      return 'check the API key';
    case 403:
      return 'the API key lacks permission for this model or feature';
    case 404:
      return 'check the model name and the baseURL';
    case 413:
      return 'the request is too large: shorten the prompt or the tool results';
    default:
      return 'the request itself is wrong; fix it or the model settings';
  }
}
