import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithJava } from '@reverie/testing/integration';
import { parseAllDocuments } from 'yaml';
import { defaultPort, healthPaths, REPO_ROOT, serviceApps } from './repo-facts';

// Renders deploy/helm/reverie with Helm's own engine (helm-java, through scripts/helm-template.sh:
// Java 17+, and Maven once to fetch the jars) and checks every rendered object against the
// Kubernetes API schemas (scripts/validate-k8s.mjs, kubernetes-models). No cluster needed.
// Skipped, saying why, where Java and Maven are missing (describeWithJava) instead of failing.

const run = promisify(execFile);
const CHART = join(REPO_ROOT, 'deploy/helm/reverie');
const OVERRIDES = join(CHART, 'ci/overrides-values.yaml');
const TIMEOUT_MS = 240_000; // a JVM start and a native library load each, on a loaded machine

// Rendered manifests are checked field by field; their shape is Kubernetes', not ours.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K8sObject = any;

async function render(...args: string[]): Promise<string> {
  const { stdout } = await run(
    'bash',
    [join(REPO_ROOT, 'scripts/helm-template.sh'), CHART, ...args],
    {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
      timeout: TIMEOUT_MS,
    },
  );
  return stdout;
}

interface Validation {
  checked: number;
  failed: number;
  results: { kind: string; name: string; error?: string }[];
}

/** Runs the schema check; resolves with its report whether or not every object passed. */
async function validate(yamlText: string): Promise<Validation> {
  const child = run('node', [join(REPO_ROOT, 'scripts/validate-k8s.mjs'), '--json'], {
    cwd: REPO_ROOT,
    maxBuffer: 16 * 1024 * 1024,
    timeout: TIMEOUT_MS,
  });
  child.child.stdin?.end(yamlText);
  const { stdout } = await child.catch((err: { stdout?: string }) => {
    if (!err.stdout) throw err;
    return { stdout: err.stdout };
  });
  return JSON.parse(stdout);
}

function objects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS())
    .filter(Boolean);
}

const find = (all: K8sObject[], kind: string, name: string) =>
  all.find((o) => o.kind === kind && o.metadata.name === name);
const ofKind = (all: K8sObject[], kind: string) => all.filter((o) => o.kind === kind);
const envVar = (container: K8sObject, name: string) =>
  container.env.find((e: { name: string }) => e.name === name);

describeWithJava('Helm chart deploy/helm/reverie', () => {
  let defaults: K8sObject[];
  let defaultsText: string;

  beforeAll(async () => {
    defaultsText = await render();
    defaults = objects(defaultsText);
  }, TIMEOUT_MS);

  it(
    'renders with the default values into objects that all pass the Kubernetes API schemas',
    async () => {
      const report = await validate(defaultsText);
      expect(report.results.filter((r) => r.error)).toEqual([]);
      expect(report.checked).toBe(defaults.length);
      const kinds = defaults.map((o) => o.kind).sort();
      expect(kinds).toEqual([
        ...Array(5).fill('ConfigMap'),
        ...Array(4).fill('Deployment'),
        ...Array(4).fill('PodDisruptionBudget'),
        'Secret',
        ...Array(4).fill('Service'),
      ]);
    },
    TIMEOUT_MS,
  );

  it.each(serviceApps())(
    '%s: a Deployment with probes on the health endpoints, resources, non-root, config and secret refs',
    (app) => {
      const name = `reverie-${app}`;
      const deployment = find(defaults, 'Deployment', name);
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      const { live, ready } = healthPaths();
      expect(container.image).toBe(`registry.example.com/reverie/${app}:0.1.0`);
      expect(container.ports).toEqual([
        { name: 'http', containerPort: defaultPort(app), protocol: 'TCP' },
      ]);
      expect(container.livenessProbe.httpGet).toEqual({ path: live, port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: ready, port: 'http' });
      expect(container.startupProbe.httpGet).toEqual({ path: live, port: 'http' });
      // It keeps serving while its endpoint is removed, within the grace period.
      expect(container.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(5);
      expect(container.resources.requests).toEqual({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container.resources.limits.memory).toEqual(expect.any(String));
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      // Settings: the shared ConfigMap and the service's own, both rendered; PORT matches.
      const maps = container.envFrom.map((e: K8sObject) => e.configMapRef.name);
      expect(maps).toEqual(['reverie', name]);
      expect(find(defaults, 'ConfigMap', 'reverie').data).toMatchObject({
        KAFKA_BROKERS: 'kafka-0.kafka:9092,kafka-1.kafka:9092,kafka-2.kafka:9092',
        KAFKA_TOPIC_PARTITIONS: '12',
        KAFKA_REPLICATION_FACTOR: '3',
      });
      expect(find(defaults, 'ConfigMap', name).data.PORT).toBe(String(defaultPort(app)));
      expect(envVar(container, 'MONGO_URL').valueFrom.secretKeyRef).toEqual({
        name: 'reverie',
        key: 'MONGO_URL',
      });
      expect(envVar(container, 'ANTHROPIC_API_KEY').valueFrom.secretKeyRef).toEqual({
        name: 'reverie',
        key: 'ANTHROPIC_API_KEY',
        optional: true,
      });
      expect(find(defaults, 'Secret', 'reverie').stringData).toEqual({
        MONGO_URL: 'mongodb://mongo:27017',
      });
    },
  );

  it.each(serviceApps())('%s: its PodDisruptionBudget and Service select its pods', (app) => {
    const name = `reverie-${app}`;
    const podLabels = find(defaults, 'Deployment', name).spec.template.metadata.labels;
    const selects = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    const pdb = find(defaults, 'PodDisruptionBudget', name);
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(selects(pdb.spec.selector.matchLabels)).toBe(true);
    expect(selects(find(defaults, 'Service', name).spec.selector)).toBe(true);
    // Each service's selector matches only its own pods.
    for (const other of serviceApps().filter((a) => a !== app)) {
      const otherLabels = find(defaults, 'Deployment', `reverie-${other}`).spec.template.metadata
        .labels;
      expect(
        Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => otherLabels[k] === v),
      ).toBe(false);
    }
  });

  it('takes replicas from values (orchestrator and dreamer scale out)', () => {
    const replicas = Object.fromEntries(
      ofKind(defaults, 'Deployment').map((d) => [d.metadata.name, d.spec.replicas]),
    );
    expect(replicas).toEqual({
      'reverie-session-gateway': 2,
      'reverie-outcome-grader': 1,
      'reverie-orchestrator': 2,
      'reverie-dreamer': 2,
    });
  });

  describe('with the overrides a platform team sets (ci/overrides-values.yaml)', () => {
    let over: K8sObject[];
    let overText: string;

    beforeAll(async () => {
      overText = await render('-f', OVERRIDES, '--namespace', 'reverie-prod');
      over = objects(overText);
    }, TIMEOUT_MS);

    it(
      'renders objects that all pass the schemas, with HPAs for orchestrator and dreamer',
      async () => {
        const report = await validate(overText);
        expect(report.results.filter((r) => r.error)).toEqual([]);
        expect(report.checked).toBe(over.length);
        const hpas = ofKind(over, 'HorizontalPodAutoscaler');
        expect(
          hpas.map((h) => [h.spec.scaleTargetRef.name, h.spec.minReplicas, h.spec.maxReplicas]),
        ).toEqual(
          expect.arrayContaining([
            ['reverie-orchestrator', 3, 20],
            ['reverie-dreamer', 2, 6],
          ]),
        );
        expect(hpas).toHaveLength(2);
        // An autoscaled Deployment leaves replicas to its HPA.
        expect(find(over, 'Deployment', 'reverie-orchestrator').spec.replicas).toBeUndefined();
        expect(find(over, 'Deployment', 'reverie-session-gateway').spec.replicas).toBe(3);
      },
      TIMEOUT_MS,
    );

    it('routes the ingress host to the gateway Service', () => {
      const ingress = find(over, 'Ingress', 'reverie-session-gateway');
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect(ingress.spec.tls).toEqual([
        { hosts: ['reverie.acme.internal'], secretName: 'reverie-tls' },
      ]);
      const [rule] = ingress.spec.rules;
      expect(rule.host).toBe('reverie.acme.internal');
      // The API, its docs and the console; never /metrics or /health.
      expect(rule.http.paths.map((p: { path: string }) => p.path)).toEqual([
        '/v1',
        '/docs',
        '/docs-json',
        '/console',
      ]);
      for (const path of rule.http.paths)
        expect(path.backend.service).toEqual({
          name: 'reverie-session-gateway',
          port: { name: 'http' },
        });
      expect(find(over, 'Service', 'reverie-session-gateway').spec.ports[0].name).toBe('http');
      expect(ofKind(defaults, 'Ingress')).toEqual([]);
    });

    it('reads the existing Secret by its key names and creates none', () => {
      expect(ofKind(over, 'Secret')).toEqual([]);
      for (const deployment of ofKind(over, 'Deployment')) {
        const [container] = deployment.spec.template.spec.containers;
        expect(envVar(container, 'MONGO_URL').valueFrom.secretKeyRef).toEqual({
          name: 'reverie-credentials',
          key: 'mongo-url',
        });
        expect(envVar(container, 'ANTHROPIC_API_KEY').valueFrom.secretKeyRef.key).toBe(
          'anthropic-api-key',
        );
        expect(container.image).toMatch(/^ghcr\.io\/acme\/reverie\/[a-z-]+:0\.1\.0-rc\.1$/);
        expect(deployment.spec.template.spec.imagePullSecrets).toEqual([{ name: 'ghcr-pull' }]);
        expect(deployment.spec.template.metadata.annotations).toMatchObject({
          'team.acme.io/owner': 'platform',
          'prometheus.io/scrape': 'true',
          'prometheus.io/port': String(container.ports[0].containerPort),
          'prometheus.io/path': '/metrics',
        });
      }
    });

    it('passes topic partitions, settings and PDB choices through', () => {
      expect(find(over, 'ConfigMap', 'reverie').data).toMatchObject({
        KAFKA_BROKERS: 'kafka-bootstrap.kafka.svc:9092',
        KAFKA_TOPIC_PARTITIONS: '24',
        KAFKA_REPLICATION_FACTOR: '3',
        MONGO_DB: 'reverie_prod',
        LOG_LEVEL: 'warn',
        ANTHROPIC_BASE_URL: 'https://llm-proxy.acme.internal',
        LOG_FORMAT: 'json',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
        OTEL_TRACES_SAMPLER_ARG: '0.2',
      });
      expect(find(over, 'ConfigMap', 'reverie-session-gateway').data.MAX_EVENTS_PER_REQUEST).toBe(
        '1000',
      );
      expect(find(over, 'PodDisruptionBudget', 'reverie-dreamer').spec).toMatchObject({
        minAvailable: 2,
      });
      expect(
        find(over, 'PodDisruptionBudget', 'reverie-dreamer').spec.maxUnavailable,
      ).toBeUndefined();
    });
  });

  it(
    'runs the data migration as a Job in the gateway image; the gateways only check (MIGRATIONS=check)',
    async () => {
      // helm-java's template leaves hooks out, as `helm template --no-hooks` does: the Job is
      // rendered here as a plain Job (migrations.job.hook=false), everything else as installed.
      expect(ofKind(defaults, 'Job')).toEqual([]);
      const text = await render('--set', 'migrations.job.hook=false');
      const report = await validate(text);
      expect(report.results.filter((r) => r.error)).toEqual([]);
      // A plain Job's template cannot change: each revision's Job has its own name.
      const job = find(objects(text), 'Job', 'reverie-migrate-1');
      const pod = job.spec.template.spec;
      const [container] = pod.containers;
      expect(container.image).toBe('registry.example.com/reverie/session-gateway:0.1.0');
      expect(container.command).toEqual(['node', 'dist/apps/session-gateway/src/migrate.js']);
      expect(pod.restartPolicy).toBe('Never');
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
      expect(envVar(container, 'MONGO_URL').valueFrom.secretKeyRef).toEqual({
        name: 'reverie',
        key: 'MONGO_URL',
      });
      expect(envVar(container, 'MONGO_DB').value).toBe('reverie');
      expect(find(defaults, 'ConfigMap', 'reverie-session-gateway').data.MIGRATIONS).toBe('check');
    },
    TIMEOUT_MS,
  );

  it(
    'connects to Kafka with TLS (a CA from a Secret) and SASL (credentials from the Secret)',
    async () => {
      const text = await render(
        ...['--set', 'kafka.tls.enabled=true', '--set', 'kafka.tls.caSecret=kafka-ca'],
        ...['--set', 'kafka.sasl.mechanism=scram-sha-512'],
        ...['--set', 'secret.kafkaSaslUsername=reverie', '--set', 'secret.kafkaSaslPassword=pw'],
      );
      const report = await validate(text);
      expect(report.results.filter((r) => r.error)).toEqual([]);
      const rendered = objects(text);
      expect(find(rendered, 'ConfigMap', 'reverie').data).toMatchObject({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/etc/reverie/kafka-ca/ca.crt',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
      });
      expect(find(rendered, 'Secret', 'reverie').stringData).toMatchObject({
        KAFKA_SASL_USERNAME: 'reverie',
        KAFKA_SASL_PASSWORD: 'pw',
      });
      for (const deployment of ofKind(rendered, 'Deployment')) {
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        expect(envVar(container, 'KAFKA_SASL_PASSWORD').valueFrom.secretKeyRef).toEqual({
          name: 'reverie',
          key: 'KAFKA_SASL_PASSWORD',
        });
        expect(container.volumeMounts).toContainEqual({
          name: 'kafka-ca',
          mountPath: '/etc/reverie/kafka-ca',
          readOnly: true,
        });
        expect(pod.volumes).toContainEqual({
          name: 'kafka-ca',
          secret: { secretName: 'kafka-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
        });
      }
      // None of it by default; and a mechanism without credentials does not render.
      expect(find(defaults, 'ConfigMap', 'reverie').data).not.toHaveProperty('KAFKA_SSL');
      await expect(render('--set', 'kafka.sasl.mechanism=plain')).rejects.toMatchObject({
        stderr: expect.stringContaining('secret.kafkaSaslUsername is required'),
      });
    },
    TIMEOUT_MS,
  );

  it(
    'the schema check refuses an object Kubernetes would refuse (replicas not a number)',
    async () => {
      const text = await render('--set', 'services.dreamer.replicas=two');
      const report = await validate(text);
      expect(report.failed).toBe(1);
      expect(report.results.find((r) => r.error)).toMatchObject({
        kind: 'Deployment',
        name: 'reverie-dreamer',
        error: expect.stringContaining('replicas must be integer'),
      });
    },
    TIMEOUT_MS,
  );

  it(
    'refuses to render without a MongoDB URL or an existing Secret, saying which value',
    async () => {
      await expect(render('--set', 'secret.mongoUrl=')).rejects.toMatchObject({
        stderr: expect.stringContaining(
          'secret.mongoUrl is required (or set secret.existingSecret)',
        ),
      });
    },
    TIMEOUT_MS,
  );
});
