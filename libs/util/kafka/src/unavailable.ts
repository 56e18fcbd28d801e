/**
 * Whether an error means MongoDB or Kafka cannot be reached right now (as opposed to a request or
 * a message they refuse, which retrying cannot fix). One list for the consumers' error classes
 * (`classifyError`), the publisher's 503 and the HTTP error filter; looks at the error itself,
 * not its `cause` (callers walk the chain).
 */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (UNAVAILABLE_NAMES.has(err.name) || UNAVAILABLE_MESSAGE.test(err.message)) return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'number' && err.name.startsWith('Mongo'))
    return UNAVAILABLE_MONGO_CODES.has(code);
  // Protocol errors the broker marks retriable (leader not available, not enough replicas...).
  return err.name === 'KafkaJSProtocolError' && (err as { retriable?: boolean }).retriable === true;
}

const UNAVAILABLE_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
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

/** MongoDB server codes of a node that is stepping down, shutting down or unreachable. */
const UNAVAILABLE_MONGO_CODES = new Set([6, 7, 89, 91, 189, 10107, 11600, 11602, 13435, 13436]);

const UNAVAILABLE_MESSAGE = /buffering timed out|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE/;
