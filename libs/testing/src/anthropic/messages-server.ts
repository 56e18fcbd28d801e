import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkBody, checkHeaders, type ValidationFailure } from './request-validation';
import type { ScriptedReply } from './scripted-replies';
import { countTokens, PromptCache } from './token-count';
import type { WireBlock, WireMessagesRequest, WireUsage } from './wire-types';

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  /** As received, valid or not. */
  body: WireMessagesRequest;
}

/** Decides the reply to a request; `index` counts the valid requests from 0. */
export type ReplyScript = (
  request: RecordedRequest,
  index: number,
) => ScriptedReply | Promise<ScriptedReply>;

export interface MessagesServerOptions {
  /** The key clients must send. */
  apiKey?: string;
  /** Replies in order, one per valid request. */
  replies?: ScriptedReply[];
  /** Used once the queue is empty. */
  respond?: ReplyScript;
  /** Shorter prompt prefixes are not cached (the real API's minimum is 1024 to 4096 tokens). */
  minCacheableTokens?: number;
}

/**
 * A local stand-in for the Anthropic Messages API (`POST /v1/messages`) on 127.0.0.1, for tests
 * that run the real SDK: it checks headers and body as the API would, answers with scripted
 * replies, counts tokens (about four characters each) and simulates prompt caching where a reply
 * does not state its usage, and records every request.
 *
 *   const server = await MessagesServer.start({ replies: [textReply('hello')] });
 *   new AnthropicProvider({ baseURL: server.baseURL, apiKey: server.apiKey });
 *   ...
 *   await server.close();
 */
export class MessagesServer {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: ScriptedReply[];
  private readonly cache: PromptCache;
  private readonly timers = new Set<NodeJS.Timeout>();
  private respond?: ReplyScript;
  private answered = 0;
  private ids = 0;

  private constructor(
    private readonly server: Server,
    readonly apiKey: string,
    options: MessagesServerOptions,
  ) {
    this.queue = [...(options.replies ?? [])];
    this.respond = options.respond;
    this.cache = new PromptCache(options.minCacheableTokens);
  }

  static async start(options: MessagesServerOptions = {}): Promise<MessagesServer> {
    const server = createServer();
    const messages = new MessagesServer(server, options.apiKey ?? 'test-api-key', options);
    server.on('request', (req, res) => {
      messages.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent)
          sendError(res, 500, 'api_error', `messages-server failed: ${String(err)}`);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return messages;
  }

  /** Where to point the SDK (`baseURL`). */
  get baseURL(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Adds replies to the end of the queue. */
  enqueue(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Replies computed from the request, once the queue is empty. */
  respondWith(script: ReplyScript): this {
    this.respond = script;
    return this;
  }

  /** Ends pending delayed replies and open connections, then stops listening. */
  async close(): Promise<void> {
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers.clear();
    const closed = new Promise<void>((resolve, reject) =>
      this.server.close((err) => (err ? reject(err) : resolve())),
    );
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return sendError(
        res,
        404,
        'not_found_error',
        `${req.method} ${path}: only POST /v1/messages is served here`,
      );
    }
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return sendError(res, 400, 'invalid_request_error', 'body: not valid JSON');
    }
    const recorded: RecordedRequest = { headers: req.headers, body: body as WireMessagesRequest };
    this.requests.push(recorded);
    const failure: ValidationFailure | undefined =
      checkHeaders(req.headers, this.apiKey) ??
      checkBody(body, String(req.headers['anthropic-version']));
    if (failure) return sendError(res, failure.status, failure.type, failure.message);

    const index = this.answered++;
    const reply = this.queue.shift() ?? (await this.respond?.(recorded, index));
    if (!reply) {
      return sendError(
        res,
        400,
        'invalid_request_error',
        `messages-server has no scripted reply for request #${index}: enqueue one or set respondWith`,
      );
    }
    if (reply.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const answer = () => this.answer(res, recorded.body, reply);
    if (!reply.delayMs) return answer();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!res.destroyed) answer();
    }, reply.delayMs);
    this.timers.add(timer);
  }

  private answer(
    res: ServerResponse,
    body: WireMessagesRequest,
    reply: Exclude<ScriptedReply, { kind: 'drop' }>,
  ) {
    if (reply.kind === 'error') {
      const headers: Record<string, string> = {};
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
      return sendError(res, reply.status, reply.type, reply.message, headers);
    }
    const content: WireBlock[] = [];
    if (reply.text) content.push({ type: 'text', text: reply.text });
    if (reply.kind === 'tool_use') {
      for (const call of reply.calls) {
        content.push({
          type: 'tool_use',
          id: call.id ?? `toolu_test_${++this.ids}`,
          name: call.name,
          input: call.input,
        });
      }
    }
    const usage: WireUsage = {
      ...this.cache.usageFor(body),
      output_tokens: Math.max(1, countTokens(JSON.stringify(content))),
      ...reply.usage,
    };
    sendJson(res, 200, {
      id: `msg_test_${++this.ids}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: reply.kind === 'tool_use' ? 'tool_use' : (reply.stopReason ?? 'end_turn'),
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        ...usage,
        cache_creation: {
          ephemeral_5m_input_tokens: usage.cache_creation_input_tokens,
          ephemeral_1h_input_tokens: 0,
        },
        server_tool_use: null,
        service_tier: 'standard',
      },
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let requestIds = 0;

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_test_${++requestIds}`,
    ...headers,
  });
  res.end(JSON.stringify(body));
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(res, status, { type: 'error', error: { type, message } }, headers);
}
