import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { builtMain, defaultPort, healthPaths, REPO_ROOT, serviceApps } from './repo-facts';

// No Docker engine here: these read the Dockerfile and the compose file and check them against
// the apps (targets, ports, entry points, health endpoints) and against each other.

interface Stage {
  name: string;
  from: string;
  lines: string[];
}

/** The Dockerfile's stages: `FROM <image> AS <name>` and the instructions under each. */
function dockerStages(): Stage[] {
  const text = readFileSync(join(REPO_ROOT, 'docker/Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1], name: from[2] ?? '', lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** A stage's instructions with those of the stages it is built FROM. */
function effectiveLines(stages: Stage[], name: string): string[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) return [];
  return [...effectiveLines(stages, stage.from), ...stage.lines];
}

interface ComposeService {
  image?: string;
  profiles?: string[];
  build?: { context: string; dockerfile: string; target: string };
  environment?: Record<string, string | null>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

function compose(): { services: Record<string, ComposeService> } {
  return parse(readFileSync(join(REPO_ROOT, 'docker/compose.yaml'), 'utf8'), { merge: true });
}

describe('docker/Dockerfile', () => {
  const stages = dockerStages();
  const apps = serviceApps();

  it('has one target per app, and the apps are the four services', () => {
    expect(apps).toEqual(['dreamer', 'orchestrator', 'outcome-grader', 'session-gateway']);
    for (const app of apps) expect(stages.map((s) => s.name)).toContain(app);
  });

  it.each(serviceApps())(
    '%s: runs its own build as a non-root user, on its default port, with a health check',
    (app) => {
      const lines = effectiveLines(stages, app);
      const own = stages.find((s) => s.name === app)?.lines ?? [];
      const port = defaultPort(app);
      expect(own).toContain(`ENV PORT=${port}`);
      expect(own).toContain(`EXPOSE ${port}`);
      expect(own).toContain(`COPY --from=build --chown=root:root /repo/dist/apps/${app} ./dist`);
      expect(own).toContain(`CMD ["node", "${builtMain(app)}"]`);
      // The last USER wins: numeric and not root.
      const user = lines.filter((l) => l.startsWith('USER ')).at(-1);
      expect(user).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
      expect(lines.some((l) => /^HEALTHCHECK .*CMD \["node", "healthcheck\.js"\]$/.test(l))).toBe(
        true,
      );
    },
  );

  it('serves the operator console from the gateway image, where the gateway looks for it', () => {
    const gateway = stages.find((s) => s.name === 'session-gateway')?.lines ?? [];
    expect(gateway).toContain(
      'COPY --from=build --chown=root:root /repo/dist/apps/console ./dist/apps/console',
    );
    expect(gateway).toContain('ENV CONSOLE_DIR=/app/dist/apps/console');
    const config = readFileSync(
      join(REPO_ROOT, 'apps/session-gateway/src/config/gateway.config.ts'),
      'utf8',
    );
    expect(config).toContain('CONSOLE_DIR');
  });

  it('the dreamer build compiles the flight worker its FlightPool starts by path (no import reaches it)', () => {
    const worker = 'libs/dreaming/lander/src/pool/flight.worker.ts';
    const pool = readFileSync(
      join(REPO_ROOT, 'libs/dreaming/lander/src/pool/flight-pool.ts'),
      'utf8',
    );
    expect(pool).toContain('flight.worker.');
    const tsconfig = JSON.parse(
      readFileSync(join(REPO_ROOT, 'apps/dreamer/tsconfig.app.json'), 'utf8'),
    );
    expect(tsconfig.include).toContain(`../../${worker}`);
    expect(existsSync(join(REPO_ROOT, worker))).toBe(true);
  });

  it('builds every app in the build stage, and the health check asks /health/ready on PORT', () => {
    const build = stages.find((s) => s.name === 'build');
    const run = build?.lines.find((l) => l.includes('nx run-many -t build'));
    const built = /-p (\S+)/
      .exec(run ?? '')?.[1]
      .split(',')
      .sort();
    expect(built).toEqual([...serviceApps(), 'console'].sort());
    const check = readFileSync(join(REPO_ROOT, 'docker/healthcheck.js'), 'utf8');
    expect(check).toContain('process.env.PORT');
    expect(check).toContain(`/${healthPaths().ready.slice(1)}`);
  });

  it('sends every dataset file to the build (the images ship datasets/; the triage cases are .log files)', () => {
    const excluded = dockerIgnored(
      readFileSync(join(REPO_ROOT, 'docker/Dockerfile.dockerignore'), 'utf8'),
    );
    const files = execFileSync('git', ['ls-files', 'datasets'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean);
    expect(files.filter((f) => f.endsWith('/fail.log')).length).toBeGreaterThan(10);
    expect(files.filter(excluded)).toEqual([]);
    // The rules still keep out what they are for.
    expect(
      ['node_modules/x/index.js', 'npm-debug.log', '.stack/kafka/server.log'].filter(excluded),
    ).toHaveLength(3);
  });
});

/**
 * Whether a path is left out of the build context by a `.dockerignore`, by Docker's rules: `*`
 * and `?` within a path segment, `**` across segments (none too, before a slash), a pattern also
 * leaves out everything under a directory it matches, `!` takes a path back, and the last
 * matching line decides.
 */
function dockerIgnored(text: string): (path: string) => boolean {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const keep = l.startsWith('!');
      const glob = (keep ? l.slice(1) : l).replace(/^\/+/, '');
      const segment = (part: string) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]');
      // `**/` is any number of directories, none included (`**/*.log` takes a log at the root).
      const source = glob
        .split('**/')
        .map((part) => part.split('**').map(segment).join('.*'))
        .join('(?:.*/)?');
      return { keep, pattern: new RegExp(`^${source}(/.*)?$`) };
    });
  return (path) => rules.reduce((out, rule) => (rule.pattern.test(path) ? !rule.keep : out), false);
}

describe('docker/compose.yaml', () => {
  const { services } = compose();

  it('runs Kafka and MongoDB for the stack, with health checks, and every app in the app profile', () => {
    expect(Object.keys(services).sort()).toEqual(['kafka', 'mongo', ...serviceApps()].sort());
    for (const infra of ['kafka', 'mongo']) {
      expect(services[infra].profiles).toBeUndefined(); // scripts/stack.sh starts these alone
      expect(services[infra].healthcheck?.test.length).toBeGreaterThan(1);
    }
  });

  it.each(serviceApps())('%s: built from its Dockerfile target, published on its port', (app) => {
    const svc = services[app];
    const port = defaultPort(app);
    expect(svc.profiles).toEqual(['app']);
    expect(svc.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile', target: app });
    expect(dockerStages().map((s) => s.name)).toContain(svc.build?.target);
    expect(svc.environment?.PORT).toBe(String(port));
    expect(svc.ports).toEqual([
      expect.stringMatching(new RegExp(`^127\\.0\\.0\\.1:\\$\\{[A-Z_]+:-${port}\\}:${port}$`)),
    ]);
    expect(svc.healthcheck?.test).toEqual(['CMD', 'node', 'healthcheck.js']);
  });

  it.each(serviceApps())(
    '%s: waits for healthy Kafka and MongoDB and reaches them on the compose network',
    (app) => {
      const svc = services[app];
      expect(svc.depends_on).toEqual({
        kafka: { condition: 'service_healthy' },
        mongo: { condition: 'service_healthy' },
      });
      for (const dep of Object.keys(svc.depends_on ?? {})) {
        expect(services[dep].healthcheck).toBeDefined();
      }
      expect(svc.environment?.KAFKA_BROKERS).toBe('kafka:29092');
      expect(svc.environment?.MONGO_URL).toMatch(/^mongodb:\/\/mongo:.*directConnection=true$/);
      // Declared without a value: passed through only when set (an empty key is refused).
      expect(svc.environment).toHaveProperty('ANTHROPIC_API_KEY', null);
    },
  );

  it('advertises a listener the containers can reach', () => {
    const env = services.kafka.environment ?? {};
    expect(env.KAFKA_LISTENERS).toContain('DOCKER://:29092');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toContain('DOCKER://kafka:29092');
    expect(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP).toContain('DOCKER:PLAINTEXT');
  });
});
