/**
 * Whether an error means MongoDB or Kafka cannot be reached right now (as opposed to a request or
 * a message they refuse, which retrying cannot fix). One list for the consumers' error classes
 * (`classifyError`), the publisher's 503 and the HTTP error filter; looks at the error itself,
 * not its `cause` (callers walk the chain, or use `unavailableCause`).
 *
 * Judged by shape (`name`, `message`), not `instanceof Error`: an error made by Node itself (a
 * socket's ECONNRESET) comes from another realm under Jest, and a second copy of the driver has
 * classes of its own; either used to fall through to a 500.
 */
export function isUnavailable(err: unknown): boolean {
  if (!isErrorLike(err)) return false;
  if (UNAVAILABLE_NAMES.has(err.name) || UNAVAILABLE_MESSAGE.test(err.message)) return true;
  if (UNAVAILABLE_MONGO_LABELS.some((label) => hasErrorLabel(err, label))) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (typeof code === 'number' && err.name.startsWith('Mongo'))
    return UNAVAILABLE_MONGO_CODES.has(code);
  // Protocol errors the broker marks retriable (leader not available, not enough replicas...).
  return err.name === 'KafkaJSProtocolError' && (err as { retriable?: boolean }).retriable === true;
}

/** The first error in `err`'s cause chain that says a dependency is unreachable, if any. */
export function unavailableCause(err: unknown): ErrorLike | undefined {
  for (let e: unknown = err, depth = 0; isErrorLike(e) && depth < 5; depth++) {
    if (isUnavailable(e)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Which dependency an unavailable error is about, for a reason a client and an operator read. */
export function unavailableDependency(err: ErrorLike): 'MongoDB' | 'Kafka' | undefined {
  if (/^Mongo|^PoolCleared/.test(err.name) || /buffering timed out/.test(err.message))
    return 'MongoDB';
  if (err.name.startsWith('KafkaJS')) return 'Kafka';
  // A plain socket error (EPIPE) says nothing of whose socket it was; its stack does.
  if (/[/\\]node_modules[/\\](mongodb|mongoose)[/\\]/.test(err.stack ?? '')) return 'MongoDB';
  if (/[/\\]node_modules[/\\]kafkajs[/\\]/.test(err.stack ?? '')) return 'Kafka';
  return undefined;
}

export interface ErrorLike {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
}

export function isErrorLike(err: unknown): err is ErrorLike {
  const e = err as { name?: unknown; message?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof e.name === 'string' &&
    typeof e.message === 'string'
  );
}

function hasErrorLabel(err: ErrorLike, label: string): boolean {
  const has = (err as { hasErrorLabel?: unknown }).hasErrorLabel;
  return typeof has === 'function' && (has as (l: string) => boolean).call(err, label) === true;
}

const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoServerClosedError',
  'MongoClientClosedError',
  'MongoPoolClosedError',
  'MongoPoolClearedError',
  // The driver's error for an operation cut off when the monitor finds the server gone; its name
  // has no "Mongo" prefix.
  'PoolClearedOnNetworkError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSLockTimeout',
]);

/**
 * Labels the MongoDB driver puts on errors of a server it lost (the pool is reset) or could not
 * connect to (overloaded), whatever the error's class.
 */
const UNAVAILABLE_MONGO_LABELS = ['ResetPool', 'SystemOverloadedError'];

/**
 * MongoDB server codes of a node that is stepping down, shutting down or unreachable (the
 * driver's retryable-write codes, less the ones about a write's own content).
 */
const UNAVAILABLE_MONGO_CODES = new Set([
  6, 7, 89, 91, 189, 9001, 10107, 11600, 11602, 13435, 13436,
]);

/**
 * Node's socket error codes. The driver can hand one up unwrapped: a command written to a
 * connection MongoDB has just closed fails with Node's own `Error: This socket has been ended by
 * the other party` (code EPIPE, from net's writeAfterFIN), no MongoNetworkError; that was the
 * mongo-outage spec's 500.
 */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Socket errors (a Node error of any realm, or a driver's message that quotes one), mongoose's
 * buffer timeout, and a connection the server closed or that timed out.
 */
const UNAVAILABLE_MESSAGE =
  /buffering timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|Connection was force closed|\bconnection \S+ to \S+ (closed|timed out)\b/;
