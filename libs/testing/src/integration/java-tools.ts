import { spawnSync } from 'node:child_process';

let found: boolean | undefined;

/** Whether Java and Maven answer here (the local stack's needs, and a few specs' own). */
export function javaToolsAvailable(): boolean {
  found ??= ['java -version', 'mvn -v'].every(
    (cmd) =>
      spawnSync(cmd.split(' ')[0], cmd.split(' ').slice(1), { stdio: 'ignore', timeout: 20_000 })
        .status === 0,
  );
  return found;
}

/**
 * `describe` for specs that run a JVM tool themselves (Helm's engine, Kafka's console producer):
 * on a machine whose tests run on testcontainers without Java and Maven they are skipped, and the
 * run says why, instead of failing on a missing command.
 */
export function describeWithJava(name: string, fn: () => void): void {
  if (javaToolsAvailable()) {
    describe(name, fn);
    return;
  }
  process.stderr.write(`skipped "${name}": it needs Java 17+ and Maven on PATH\n`);
  describe.skip(name, fn);
}
