import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ReverieMetrics } from './metrics/reverie-metrics';

/** The repository root: the nearest folder above this file with an `nx.json`. */
function repoRoot(): string {
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir))
    if (existsSync(join(dir, 'nx.json'))) return dir;
  throw new Error('no nx.json above this spec');
}

const DIR = join(repoRoot(), 'deploy', 'observability');
const METRIC_PREFIXES = /\b((?:reverie|process|nodejs)_[a-z0-9_]+)/g;
const SUFFIXES = ['_bucket', '_sum', '_count'];

/** What the code registers: each metric's name (histogram series included) and label names. */
async function registered(): Promise<Map<string, string[]>> {
  const metrics = new ReverieMetrics('spec');
  const known = new Map<string, string[]>();
  for (const { name, type } of await metrics.registry.getMetricsAsJSON()) {
    const labels = [
      'service',
      ...((metrics.registry.getSingleMetric(name) as { labelNames?: string[] }).labelNames ?? []),
    ];
    known.set(name, labels);
    if (String(type) === 'histogram' || String(type) === 'summary')
      for (const suffix of SUFFIXES) known.set(`${name}${suffix}`, [...labels, 'le', 'quantile']);
  }
  return known;
}

/** Metric names used in a PromQL expression, with the label names of their selectors. */
function references(expr: string): { metric: string; labels: string[] }[] {
  return [...expr.matchAll(METRIC_PREFIXES)].map((m) => {
    const after = expr.slice((m.index ?? 0) + m[1].length);
    const selector = /^\{([^}]*)\}/.exec(after)?.[1] ?? '';
    const labels = [...selector.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]);
    return { metric: m[1], labels };
  });
}

/** Every metric and selector label in `exprs` is one the code registers; returns the metrics. */
async function expectRegistered(exprs: string[]): Promise<Set<string>> {
  const known = await registered();
  const used = new Set<string>();
  const unknown: string[] = [];
  for (const expr of exprs) {
    for (const { metric, labels } of references(expr)) {
      used.add(metric);
      const allowed = known.get(metric);
      if (!allowed) unknown.push(`${metric} (not registered)`);
      else
        for (const label of labels)
          if (!allowed.includes(label)) unknown.push(`${metric}{${label}} (no such label)`);
    }
  }
  expect(unknown).toEqual([]);
  return used;
}

interface Rule {
  alert: string;
  expr: string;
  labels: { severity: string };
  annotations: { summary: string };
}

describe('deploy/observability', () => {
  it('alert rules use only registered metrics and cover lag, dead letters and failing dreams', async () => {
    const file = parse(readFileSync(join(DIR, 'prometheus-rules.yaml'), 'utf8')) as {
      groups: { name: string; rules: Rule[] }[];
    };
    const rules = file.groups.flatMap((g) => g.rules);
    for (const rule of rules) {
      expect(rule).toEqual(
        expect.objectContaining({
          alert: expect.stringMatching(/^Reverie[A-Za-z]+$/),
          expr: expect.any(String),
          labels: expect.objectContaining({ severity: expect.any(String) }),
          annotations: expect.objectContaining({ summary: expect.any(String) }),
        }),
      );
      // Each alert is about something the services report.
      expect(references(rule.expr).length).toBeGreaterThan(0);
    }
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'ReverieConsumerLagGrowing',
        'ReverieDeadLetters',
        'ReverieDreamsFailing',
      ]),
    );
    const used = await expectRegistered(rules.map((r) => r.expr));
    expect([...used]).toEqual(
      expect.arrayContaining([
        'reverie_kafka_consumer_lag',
        'reverie_kafka_dead_lettered_total',
        'reverie_dreams_total',
      ]),
    );
  });

  it('the Grafana dashboard uses only registered metrics and charts each of them', async () => {
    const dashboard = JSON.parse(readFileSync(join(DIR, 'grafana-dashboard.json'), 'utf8')) as {
      panels: { type: string; targets?: { expr: string }[] }[];
      templating: { list: { query?: unknown }[] };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((v) => (typeof v.query === 'string' ? [v.query] : [])),
    ];
    const used = await expectRegistered(exprs);
    // Every Reverie metric has a panel (histograms through their buckets).
    const reverie = [...(await registered()).keys()].filter(
      (n) => n.startsWith('reverie_') && !SUFFIXES.some((s) => n.endsWith(s)),
    );
    const charted = [...used].map((n) =>
      SUFFIXES.reduce((x, s) => x.replace(new RegExp(`${s}$`), ''), n),
    );
    expect(reverie.filter((n) => !charted.includes(n))).toEqual([]);
  });

  it('a metric the code does not register, or a label it does not have, is caught', async () => {
    await expect(expectRegistered(['rate(reverie_made_up_total[5m])'])).rejects.toThrow(
      /reverie_made_up_total \(not registered\)/,
    );
    await expect(expectRegistered(['reverie_grades_total{tenant="acme"}'])).rejects.toThrow(
      /reverie_grades_total\{tenant\} \(no such label\)/,
    );
    await expect(expectRegistered(['reverie_grades_total{result="satisfied"}'])).resolves.toEqual(
      new Set(['reverie_grades_total']),
    );
  });
});
