import { z } from 'zod';
import { ConfigError, loadServiceConfig, parseEnv } from './service-config';
import { anthropicEnvShape, anthropicFrom } from './shared-env';

const env = {
  MONGO_URL: 'mongodb://127.0.0.1:27017',
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9092',
};

describe('service config', () => {
  it('applies defaults and splits the broker list', () => {
    const config = loadServiceConfig('dreamer', 3003, env);
    expect(config).toMatchObject({
      service: 'dreamer',
      port: 3003,
      host: '0.0.0.0',
      mongo: { url: 'mongodb://127.0.0.1:27017', db: 'reverie' },
      kafka: {
        brokers: ['127.0.0.1:9092', '127.0.0.2:9092'],
        clientId: 'dreamer',
        groupId: 'reverie-dreamer',
        partitions: 6,
      },
    });
  });

  it('takes a variable set to the empty string as unset: its default applies', () => {
    const config = loadServiceConfig('dreamer', 3003, { ...env, PORT: '', MONGO_DB: '' });
    expect(config).toMatchObject({ port: 3003, mongo: { db: 'reverie' } });
    expect(anthropicFrom(parseEnv(z.object(anthropicEnvShape), { ANTHROPIC_API_KEY: '' }))).toEqual(
      {},
    );
    expect(() => loadServiceConfig('dreamer', 3003, { ...env, MONGO_URL: '' })).toThrow(
      /MONGO_URL is required/,
    );
  });

  it('connects to Kafka with TLS and SASL when told to, and says what is missing', () => {
    const config = loadServiceConfig('dreamer', 3003, {
      ...env,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'reverie',
      KAFKA_SASL_PASSWORD: 's3cret',
    });
    expect(config.kafka).toMatchObject({
      ssl: true,
      sasl: { mechanism: 'plain', username: 'reverie', password: 's3cret' },
    });
    expect(loadServiceConfig('dreamer', 3003, env).kafka).not.toHaveProperty('sasl');
    expect(() =>
      loadServiceConfig('dreamer', 3003, { ...env, KAFKA_SASL_MECHANISM: 'plain' }),
    ).toThrow(
      /^invalid configuration: KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM; KAFKA_SASL_PASSWORD is required/,
    );
    expect(() =>
      loadServiceConfig('dreamer', 3003, { ...env, KAFKA_SSL_CA_FILE: '/nope/ca.pem' }),
    ).toThrow(ConfigError);
  });

  it('fails with one line that names every wrong variable', () => {
    let error: unknown;
    try {
      loadServiceConfig('dreamer', 3003, {
        KAFKA_BROKERS: 'kafka',
        PORT: '99999',
        KAFKA_TOPIC_PARTITIONS: 'many',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/MONGO_URL is required/);
    expect(message).toMatch(/KAFKA_BROKERS.*host:port/);
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/KAFKA_TOPIC_PARTITIONS/);
  });
});
