import { classifyError } from './handler-errors';
import { isUnavailable } from './unavailable';

const named = (name: string, message = 'x', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, ...extra });

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
  ])('says an unreachable store or broker is unavailable: %s', (err) => {
    expect(isUnavailable(err)).toBe(true);
    expect(classifyError(err)).toBe('unavailable');
  });

  it.each([
    named('KafkaJSProtocolError', 'message too large', { retriable: false }),
    named('MongoServerError', 'E11000 duplicate key', { code: 11000 }),
    named('BSONError', 'key must not contain null bytes'),
    new TypeError('x is undefined'),
    'not an error',
  ])('says a refused request or a bug is not: %s', (err) => {
    expect(isUnavailable(err)).toBe(false);
  });
});
