import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { runInNewContext } from 'node:vm';
import { classifyError } from './handler-errors';
import { isUnavailable, unavailableCause, unavailableDependency } from './unavailable';

const named = (name: string, message = 'x', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

/** A driver error of no particular class that carries one of the driver's labels. */
function labelled(label: string) {
  const err = new MongoError('connection pool for 127.0.0.1:27017 was cleared');
  err.addErrorLabel(label);
  return err;
}

describe('isUnavailable', () => {
  it.each([
    named('MongoServerSelectionError'),
    named('MongooseServerSelectionError'),
    named('KafkaJSConnectionError'),
    named('KafkaJSNumberOfRetriesExceeded'),
    named('MongoServerError', 'not primary', { code: 10107 }),
    named('KafkaJSProtocolError', 'leader not available', { retriable: true }),
    new Error('connect ECONNREFUSED 127.0.0.1:27017'),
    new Error('Operation `sessions.findOne()` buffering timed out after 3000ms'),
    // What a MongoDB stop or crash gives operations in flight (seen in a private stack's stop).
    named('PoolClearedOnNetworkError', 'Connection to 127.0.0.1:27017 interrupted'),
    named('MongoServerClosedError', 'Server is closed'),
    named('MongoPoolClosedError', 'Attempted to check out a connection from closed pool'),
    named('MongoWaitQueueTimeoutError', 'Timed out while checking out a connection from pool'),
    named('MongoOperationTimeoutError', 'Timed out during server selection'),
    named('MongoServerError', 'socket exception', { code: 9001 }),
    new MongoNetworkError('connection 3 to 127.0.0.1:27017 closed'),
    new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', {
      type: 'Unknown',
    } as never),
    // Any class, by the labels the driver gives a lost server or a refused connect.
    labelled('ResetPool'),
    labelled('SystemOverloadedError'),
    // Seen in the mongo-outage spec (a 500 before): the driver wrote to a socket MongoDB had
    // closed, and Node's own error came up unwrapped, in another realm under Jest.
    runInNewContext(
      "Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' })",
    ),
    // A socket error made in another realm (Node's own, under Jest) is no `instanceof Error`.
    runInNewContext("Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })"),
  ])('says an unreachable store or broker is unavailable: %s', (err) => {
    expect(isUnavailable(err)).toBe(true);
    expect(unavailableCause(err)).toBe(err);
  });

  it('finds an outage behind a wrapping error and names the dependency', () => {
    const outage = new MongoServerSelectionError('connect ECONNREFUSED 127.0.0.1:27017', {
      type: 'Unknown',
    } as never);
    const wrapped = new Error('could not load the session', { cause: outage });
    expect(isUnavailable(wrapped)).toBe(false);
    expect(unavailableCause(wrapped)).toBe(outage);
    expect(unavailableDependency(outage)).toBe('MongoDB');
    expect(unavailableDependency(named('PoolClearedOnNetworkError'))).toBe('MongoDB');
    expect(unavailableDependency(named('KafkaJSConnectionError'))).toBe('Kafka');
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), {
      code: 'EPIPE',
      stack:
        'Error: This socket has been ended by the other party\n    at Socket.writeAfterFIN [as write] (node:net:566:14)\n' +
        '    at Connection.writeCommand (/app/node_modules/mongodb/lib/cmap/connection.js:722:23)',
    });
    expect(unavailableDependency(epipe)).toBe('MongoDB');
    expect(classifyError(wrapped)).toBe('unavailable');
  });

  it.each([
    named('KafkaJSProtocolError', 'message too large', { retriable: false }),
    named('MongoServerError', 'E11000 duplicate key', { code: 11000 }),
    named('BSONError', 'key must not contain null bytes'),
    new TypeError('x is undefined'),
    named('MongoServerError', 'operation exceeded time limit', { code: 262 }),
    labelled('TransientTransactionError'),
    Object.assign(new Error('file not found'), { code: 'ENOENT' }),
    'not an error',
  ])('says a refused request or a bug is not: %s', (err) => {
    expect(isUnavailable(err)).toBe(false);
  });
});
