import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** How a client authenticates to Kafka and encrypts the connection: what kafkajs takes as `ssl` and `sasl`. */
export interface KafkaConnection {
  /** TLS: `true` trusts the system's certificate authorities; `ca` trusts these (PEM) instead. */
  ssl?: true | { ca: string[] };
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const flag = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((v) => v === 'true');

/**
 * The environment variables of a Kafka connection, for every service and the CLI alike: TLS
 * (`KAFKA_SSL=true`, or a CA file, which implies it) and SASL (a mechanism with its user name and
 * password). Spread into an env schema; check with `kafkaConnectionProblems` (a superRefine) and
 * turn into settings with `kafkaConnectionFrom`.
 */
export const kafkaConnectionEnvShape = {
  KAFKA_SSL: flag.optional(),
  /** A PEM file of the certificate authorities to trust (a private CA); implies TLS. */
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z
    .enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

type ConnectionEnv = {
  KAFKA_SSL?: boolean;
  KAFKA_SSL_CA_FILE?: string;
  KAFKA_SASL_MECHANISM?: SaslMechanism;
  KAFKA_SASL_USERNAME?: string;
  KAFKA_SASL_PASSWORD?: string;
};

/** What is inconsistent in the connection variables (each named), for a schema's superRefine. */
export function kafkaConnectionProblems(env: ConnectionEnv): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const credentials = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  for (const name of credentials) {
    if (env.KAFKA_SASL_MECHANISM && !env[name])
      problems.push({ path: name, message: `is required with KAFKA_SASL_MECHANISM` });
    if (!env.KAFKA_SASL_MECHANISM && env[name])
      problems.push({
        path: name,
        message: `needs KAFKA_SASL_MECHANISM (${SASL_MECHANISMS.join(', ')})`,
      });
  }
  if (env.KAFKA_SSL === false && env.KAFKA_SSL_CA_FILE)
    problems.push({ path: 'KAFKA_SSL_CA_FILE', message: 'is set but KAFKA_SSL is false' });
  return problems;
}

/**
 * The connection settings of the variables, checked first: throws one Error that names each
 * inconsistent variable (`kafkaConnectionProblems`) or the CA file that cannot be read. What
 * every service and the CLI call at start.
 */
export function checkedKafkaConnection(
  env: ConnectionEnv,
  readFile?: (path: string) => string,
): KafkaConnection {
  const problems = kafkaConnectionProblems(env).map((p) => `${p.path} ${p.message}`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return kafkaConnectionFrom(env, readFile);
}

/**
 * The connection settings of checked variables. The CA file is read here, at start, so a path
 * that cannot be read stops the process with its name rather than failing each connection.
 */
export function kafkaConnectionFrom(
  env: ConnectionEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): KafkaConnection {
  const connection: KafkaConnection = {};
  if (env.KAFKA_SSL_CA_FILE) {
    let ca: string;
    try {
      ca = readFile(env.KAFKA_SSL_CA_FILE);
    } catch (err) {
      throw new Error(
        `KAFKA_SSL_CA_FILE ${env.KAFKA_SSL_CA_FILE} cannot be read: ${(err as Error).message}`,
      );
    }
    connection.ssl = { ca: [ca] };
  } else if (env.KAFKA_SSL) connection.ssl = true;
  if (env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD) {
    connection.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    };
  }
  return connection;
}
