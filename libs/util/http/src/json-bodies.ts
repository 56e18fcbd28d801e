import type { IncomingMessage, ServerResponse } from 'node:http';
import { unsupportedMediaType, type ApiError } from './api-error';

/** The body types the API reads, as body-parser's `type` option: JSON and its `+json` kinds. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API takes JSON only. Without this, a body of another type is no error: it is left unread
 * (the handler sees no body) or read by whatever parser takes it (a form-encoded POST /v1/agents
 * created an agent), and a charset body-parser allows (`utf-7`) is decoded into something the
 * client never meant. So a POST, PUT or PATCH that carries a body answers 415 unless it is JSON
 * in utf-8. Register it before the body parser: it refuses before anything is read.
 */
export function jsonBodiesOnly() {
  return (req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void => {
    next(BODY_METHODS.has(req.method ?? '') && carriesBody(req) ? notJson(req) : undefined);
  };
}

/** A body is coming: a length above zero or a chunked one (a bodiless POST sends length 0). */
function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Why the request's content-type is not JSON in utf-8, or undefined when it is. */
function notJson(req: IncomingMessage): ApiError | undefined {
  const header = req.headers['content-type'];
  const [type = '', ...params] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  if (!isJsonType(type)) {
    const given =
      header === undefined
        ? 'a body without content-type'
        : `content-type ${JSON.stringify(header)}`;
    return unsupportedMediaType(
      `${given} is not supported; send JSON as utf-8 with content-type: application/json`,
    );
  }
  const charset = charsetOf(params);
  if (charset === undefined || charset === 'utf-8') return undefined;
  return unsupportedMediaType(
    `charset ${JSON.stringify(charset)} is not supported; send JSON as utf-8`,
  );
}

/** The `charset` parameter, unquoted (`charset="utf-8"` is allowed), of lower-cased parameters. */
function charsetOf(params: string[]): string | undefined {
  const param = params.find((p) => p.startsWith('charset='));
  return param?.slice('charset='.length).replace(/^"(.*)"$/, '$1');
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || /^application\/[^/\s]+\+json$/.test(type);
}
