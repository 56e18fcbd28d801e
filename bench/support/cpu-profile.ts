/**
 * `--profile`: a V8 CPU profile of this process over the measured gateway run only (startup,
 * warm-up and the raw runs left out), written as a .cpuprofile (Chrome DevTools opens it) and
 * summarised as self time per stage of the path. `node --cpu-prof` would mix in all of those.
 */
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';

/** Stages of the path, by where the sampled code lives; the first match wins. */
const STAGES: Array<[string, RegExp]> = [
  ['idle (waiting on Kafka/MongoDB)', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['bench clients (fetch)', /undici|bench\//],
  [
    'http: express + body-parser',
    /node_modules\/(express|body-parser|raw-body|router|@nestjs\/platform-express)/,
  ],
  ['http: validation (zod)', /node_modules\/zod/],
  ['contracts: envelope checks', /libs\/contracts\//],
  ['http: sessions service', /libs\/sessions\/feature\/src\/http/],
  ['kafkajs (produce + fetch)', /node_modules\/kafkajs/],
  ['ingest: transport', /libs\/util\/kafka/],
  ['ingest: consumer + pages', /libs\/sessions\/(feature\/src\/ingest|data-access|domain)/],
  ['mongodb driver + bson', /node_modules\/(mongodb|bson|mongoose)/],
  ['nest + telemetry', /node_modules\/@nestjs|libs\/util\/(telemetry|service-kit|http)/],
  ['node internals + natives (JSON, buffers, net, crypto)', /^node:|^native:|^\(program\)$/],
];

interface Sampled {
  stage: string;
  fn: string;
  ms: number;
}

function selfTimes(profile: Profiler.Profile): Sampled[] {
  // The sample taken while starting the profiler (under node:inspector) is not the path's.
  const own = new Set(
    profile.nodes
      .filter((n) => n.callFrame.url === 'node:inspector')
      .flatMap((n) => n.children ?? []),
  );
  const self = new Map<number, number>();
  profile.samples?.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1_000);
  });
  return profile.nodes.flatMap((node) => {
    const ms = self.get(node.id);
    if (!ms || own.has(node.id)) return [];
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url || (functionName.startsWith('(') ? functionName : `native:${functionName}`);
    const stage = STAGES.find(([, re]) => re.test(where))?.[0] ?? 'other';
    const file = url.replace(/^.*node_modules\//, '').replace(/^.*\/work\/main\//, '');
    return [{ stage, fn: `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`, ms }];
  });
}

function table(rows: Map<string, number>, total: number, limit: number): string[] {
  return [...rows]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(
      ([name, ms]) =>
        `      ${ms.toFixed(0).padStart(6)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`,
    );
}

/** Summary lines: self time per stage, then the heaviest functions. */
export function summarise(profile: Profiler.Profile, topFunctions = 25): string {
  const sampled = selfTimes(profile);
  const total = sampled.reduce((s, x) => s + x.ms, 0);
  const byStage = new Map<string, number>();
  const byFn = new Map<string, number>();
  for (const s of sampled) {
    byStage.set(s.stage, (byStage.get(s.stage) ?? 0) + s.ms);
    byFn.set(s.fn, (byFn.get(s.fn) ?? 0) + s.ms);
  }
  return [
    `    CPU profile of the measured run, ${(total / 1_000).toFixed(2)} s sampled; self time per stage:`,
    ...table(byStage, total, STAGES.length + 1),
    '    heaviest functions (self time):',
    ...table(byFn, total, topFunctions),
  ].join('\n');
}

/** Starts sampling; the returned function stops, writes `file` and returns the summary. */
export async function startCpuProfile(file: string): Promise<() => Promise<string>> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params ?? {}, (err, result) =>
        err ? reject(err) : resolve(result as T),
      ),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: Profiler.Profile }>('Profiler.stop');
    session.disconnect();
    writeFileSync(file, JSON.stringify(profile));
    return `${summarise(profile)}\n    full profile: ${file}`;
  };
}
