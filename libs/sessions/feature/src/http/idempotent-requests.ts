import { Injectable } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiError, invalidRequest } from '@reverie/http';
import { KafkaUnavailableError, RETRY_AFTER_SECONDS } from '@reverie/kafka';
import { IdempotencyKeyReader, IdempotencyKeyWriter } from '@reverie/sessions-data-access';
import {
  checkIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_TTL_MS,
  idempotencyRecordId,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  requestFingerprint,
  type IdempotentRoute,
} from '@reverie/sessions-domain';

/** A request to a route that takes `Idempotency-Key`, and what identifies it under its key. */
export interface KeyedRequest {
  tenantId: string;
  route: IdempotentRoute;
  /** The header's value, checked (`idempotencyKeyOf`); undefined: the request has none. */
  key: string | undefined;
  /** What the route reads of the request (path parameters and body), fingerprinted. */
  request: unknown;
}

/** A request's plan: the resource it creates and everything needed to carry it out again. */
export interface Planned<P> {
  resourceId: string;
  plan: P;
}

/** The optional header of the POSTs that create something under a new id, as documented. */
export const IdempotencyKeyHeader = () =>
  ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description:
      '1 to 255 printable ASCII characters, one per logical request (a UUID). A retry with the ' +
      'same key and the same request answers what the first did (same id) and is applied once, ' +
      'also after a 503; the same key with another request is a 422 `idempotency_error`. Keys ' +
      'are per tenant and remembered for 24 hours.',
  });

/** The `Idempotency-Key` header's value, checked: a 400 naming the header when it is malformed. */
export function idempotencyKeyOf(raw: unknown): string | undefined {
  const check = checkIdempotencyKey(raw);
  if (check.ok) return check.key;
  throw invalidRequest(
    `invalid ${IDEMPOTENCY_KEY_HEADER} header: ${check.reason}; send 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters (a UUID, say), one per logical request`,
    [{ path: `headers.${IDEMPOTENCY_KEY_HEADER.toLowerCase()}`, message: check.reason }],
  );
}

/**
 * A 503 for a route whose Kafka message may still be delivered after the deadline (kafkajs keeps
 * retrying): the request may still be applied, and only a retry under the same key is safe.
 */
export function mayStillApply(err: unknown, keyed: boolean): unknown {
  if (!(err instanceof KafkaUnavailableError)) return err;
  return err.advise(
    keyed
      ? `the request may still be applied once Kafka is back; retry in ${RETRY_AFTER_SECONDS} s with the same ${IDEMPOTENCY_KEY_HEADER}`
      : `the request may still be applied once Kafka is back, so a plain retry may apply it twice; retry in ${RETRY_AFTER_SECONDS} s, and send an ${IDEMPOTENCY_KEY_HEADER} header (the same on every retry) so it is applied once`,
  );
}

/**
 * A 503 for a managed create whose run command was not acknowledged: its session is stored,
 * `canceled` (`RUN_NOT_ACKNOWLEDGED`), and runs only when a retry under the same key reopens it
 * (a command that lands late is skipped: the orchestrator runs only running sessions).
 */
export function runNotAcknowledged(err: unknown, sessionId: string, keyed: boolean): unknown {
  return notAcknowledged(err, keyed, {
    what: `session "${sessionId}" is canceled, its run command not acknowledged`,
    retried: 'to run it',
    unkeyed: 'a new session',
    same: 'runs the same session',
  });
}

/**
 * A 503 for a batch some of whose run commands were not acknowledged: those sessions are
 * `canceled` as above (the others run), and a retry under the same key reopens and runs them.
 */
export function batchNotAcknowledged(err: unknown, batchId: string, keyed: boolean): unknown {
  return notAcknowledged(err, keyed, {
    what: `the sessions of batch "${batchId}" whose run commands were not acknowledged are canceled`,
    retried: 'to run them',
    unkeyed: 'a new batch, which runs every task again',
    same: 'runs the same batch',
  });
}

function notAcknowledged(
  err: unknown,
  keyed: boolean,
  say: { what: string; retried: string; unkeyed: string; same: string },
): unknown {
  if (!(err instanceof KafkaUnavailableError)) return err;
  return err.advise(
    keyed
      ? `${say.what}; retry in ${RETRY_AFTER_SECONDS} s with the same ${IDEMPOTENCY_KEY_HEADER} ${say.retried}`
      : `${say.what}; retry in ${RETRY_AFTER_SECONDS} s (${say.unkeyed}), and send an ${IDEMPOTENCY_KEY_HEADER} header (the same on every retry) so a retry ${say.same}`,
  );
}

/**
 * `Idempotency-Key` for routes that create a resource under a new id. The first request under a
 * key makes its plan (new ids, the Kafka messages) and claims the key with it, before it does
 * anything; a retry (same tenant, route and key, same request) gets that plan back and carries it
 * out again: the same resource id and the same messages, which every consumer de-duplicates. The
 * plan is carried out the same way either time with idempotent writes, so a retry also finishes a
 * first attempt that failed half-way, and two requests racing under one key both answer the same
 * resource. Another request under a used key is a 422 `idempotency_error`. Keys are remembered
 * for `IDEMPOTENCY_KEY_TTL_MS` (24 h).
 */
@Injectable()
export class IdempotentRequests {
  constructor(
    private readonly reader: IdempotencyKeyReader,
    private readonly writer: IdempotencyKeyWriter,
  ) {}

  /**
   * The plan to carry out: `make()`'s for a request without a key or under a key not seen yet
   * (then claimed), or the stored one for a retry (`replayed`). `make` runs only when no record is
   * found first, so a retry does not repeat its side effects (a canary trial's assignment, say);
   * only requests racing under a new key each make one, and the claim keeps one of them.
   */
  async resolve<P>(
    req: KeyedRequest,
    make: () => Promise<Planned<P>>,
  ): Promise<{ plan: P; replayed: boolean }> {
    if (req.key === undefined) return { plan: (await make()).plan, replayed: false };
    const id = idempotencyRecordId(req.tenantId, req.route, req.key);
    const fingerprint = requestFingerprint(req.request);
    const now = new Date();
    const seen = await this.reader.find(id, now);
    if (seen) return { plan: planOf<P>(seen, req, fingerprint), replayed: true };
    const made = await make();
    const claim = await this.writer.claim(
      {
        _id: id,
        tenantId: req.tenantId,
        route: req.route,
        key: req.key,
        fingerprint,
        resourceId: made.resourceId,
        plan: JSON.stringify(made.plan),
        createdAt: now,
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_KEY_TTL_MS),
      },
      now,
    );
    if (claim.claimed) return { plan: made.plan, replayed: false };
    return { plan: planOf<P>(claim.record, req, fingerprint), replayed: true };
  }
}

function planOf<P>(
  stored: { fingerprint: string; plan: string },
  req: KeyedRequest,
  fingerprint: string,
): P {
  if (stored.fingerprint !== fingerprint) {
    throw new ApiError(
      'idempotency_error',
      422,
      `${IDEMPOTENCY_KEY_HEADER} ${JSON.stringify(req.key)} was already used for another request to ${req.route} (a different body or path); a key stands for one request for 24 hours: send a new key for a new request, or the same request to get its answer again`,
    );
  }
  return JSON.parse(stored.plan) as P;
}
