import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO_ROOT = resolve(__dirname, '../../..');

/**
 * The jars of Apache Kafka itself, as scripts/stack.sh lays them out in its cache
 * (`$REVERIE_STACK_CACHE/kafka-<version>-<hash>/lib`); fetched with Maven from the stack's own pom
 * into a temp dir when no stack has run on this machine (e.g. the tests found Kafka elsewhere).
 */
export function kafkaLib(): string {
  const cache = process.env.REVERIE_STACK_CACHE ?? join(homedir(), '.cache', 'reverie-stack');
  const cached = existsSync(cache)
    ? readdirSync(cache)
        .filter((d) => d.startsWith('kafka-') && existsSync(join(cache, d, '.complete')))
        .map((d) => join(cache, d, 'lib'))
    : [];
  if (cached.length > 0) return cached[0];
  const lib = join(mkdtempSync(join(tmpdir(), 'reverie-kafka-')), 'lib');
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(REPO_ROOT, 'scripts/stack/pom.xml'),
      '-P',
      'kafka',
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${lib}`,
    ],
    { stdio: 'inherit', timeout: 300_000 },
  );
  return lib;
}

export interface ConsoleRecord {
  key: string;
  headers: Record<string, string>;
  value: string;
}

/**
 * Publishes records with Kafka's own console producer (`kafka.tools.ConsoleProducer`, a JVM
 * process: no Node, no kafkajs), one line each, `<headers>\t<key>\t<value>` with headers as
 * `name:value,name:value`, waiting for every acknowledgement from all in-sync replicas.
 */
export async function consoleProduce(
  brokers: string,
  topic: string,
  records: ConsoleRecord[],
): Promise<{ code: number | null; stderr: string }> {
  const lines = records.map((r) => {
    const headers = Object.entries(r.headers)
      .map(([k, v]) => `${k}:${v}`)
      .join(',');
    for (const part of [headers, r.key, r.value]) {
      if (part.includes('\t') || part.includes('\n'))
        throw new Error(`a tab or newline in ${part}`);
    }
    return `${headers}\t${r.key}\t${r.value}\n`;
  });
  const child = spawn(
    'java',
    [
      '-cp',
      `${kafkaLib()}/*`,
      'kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      brokers,
      '--topic',
      topic,
      '--producer-property',
      'acks=all',
      '--producer-property',
      'enable.idempotence=true',
      '--property',
      'parse.key=true',
      '--property',
      'parse.headers=true',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(lines.join(''));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stderr };
}
