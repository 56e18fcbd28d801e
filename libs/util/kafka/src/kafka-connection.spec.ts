import { z } from 'zod';
import {
  checkedKafkaConnection,
  kafkaConnectionEnvShape,
  kafkaConnectionFrom,
  kafkaConnectionProblems,
} from './kafka-connection';

const parse = (env: Record<string, string>) => z.object(kafkaConnectionEnvShape).parse(env);

describe('the Kafka connection from the environment', () => {
  it('is plain without any variable', () => {
    expect(kafkaConnectionFrom(parse({}))).toEqual({});
  });

  it('takes TLS from KAFKA_SSL, or a CA file (which implies it), read once at start', () => {
    expect(kafkaConnectionFrom(parse({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
    expect(kafkaConnectionFrom(parse({ KAFKA_SSL: 'false' }))).toEqual({});
    const read = jest.fn(() => '-----BEGIN CERTIFICATE-----\n…');
    expect(kafkaConnectionFrom(parse({ KAFKA_SSL_CA_FILE: '/etc/ca.pem' }), read)).toEqual({
      ssl: { ca: ['-----BEGIN CERTIFICATE-----\n…'] },
    });
    expect(read).toHaveBeenCalledWith('/etc/ca.pem');
    expect(() => kafkaConnectionFrom(parse({ KAFKA_SSL_CA_FILE: '/nope/ca.pem' }))).toThrow(
      /^KAFKA_SSL_CA_FILE \/nope\/ca\.pem cannot be read: ENOENT/,
    );
  });

  it('takes SASL from a mechanism with its user name and password', () => {
    const env = parse({
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'reverie',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(kafkaConnectionProblems(env)).toEqual([]);
    expect(kafkaConnectionFrom(env)).toEqual({
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'reverie', password: 's3cret' },
    });
  });

  it('names what is missing or contradicts, and refuses an unknown mechanism or flag', () => {
    expect(kafkaConnectionProblems(parse({ KAFKA_SASL_MECHANISM: 'plain' }))).toEqual([
      { path: 'KAFKA_SASL_USERNAME', message: 'is required with KAFKA_SASL_MECHANISM' },
      { path: 'KAFKA_SASL_PASSWORD', message: 'is required with KAFKA_SASL_MECHANISM' },
    ]);
    expect(kafkaConnectionProblems(parse({ KAFKA_SASL_USERNAME: 'u' }))).toEqual([
      {
        path: 'KAFKA_SASL_USERNAME',
        message: 'needs KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512)',
      },
    ]);
    expect(
      kafkaConnectionProblems(parse({ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: '/etc/ca.pem' })),
    ).toEqual([{ path: 'KAFKA_SSL_CA_FILE', message: 'is set but KAFKA_SSL is false' }]);
    expect(() => parse({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/must be one of plain/);
    expect(() => parse({ KAFKA_SSL: 'yes' })).toThrow(/must be true or false/);
  });

  it('checks before it builds: one error names every inconsistent variable', () => {
    expect(() => checkedKafkaConnection(parse({ KAFKA_SASL_MECHANISM: 'plain' }))).toThrow(
      'KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM; KAFKA_SASL_PASSWORD is required with KAFKA_SASL_MECHANISM',
    );
    expect(() => checkedKafkaConnection(parse({ KAFKA_SSL_CA_FILE: '/nope/ca.pem' }))).toThrow(
      /KAFKA_SSL_CA_FILE \/nope\/ca.pem cannot be read/,
    );
    expect(checkedKafkaConnection(parse({ KAFKA_SSL: 'true' }))).toEqual({ ssl: true });
  });
});
