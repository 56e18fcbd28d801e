#!/usr/bin/env node
// Checks rendered Kubernetes manifests against the Kubernetes API schemas, object by object, with
// the `kubernetes-models` package (its classes carry the OpenAPI schemas of each API version).
//
//   bash scripts/helm-template.sh | node scripts/validate-k8s.mjs           # one line per object
//   node scripts/validate-k8s.mjs rendered.yaml --json                      # a JSON report
//
// Exit 0 when every object validates, 1 when one does not (or has an apiVersion/kind with no
// schema), 2 when the input is not YAML. An ES module: kubernetes-models ships only as one.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

async function modelClass(apiVersion, kind) {
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  try {
    const mod = await import(`kubernetes-models/${apiVersion}`);
    return mod[kind];
  } catch {
    return undefined;
  }
}

async function check(doc) {
  const { apiVersion, kind, metadata } = doc;
  const ref = { apiVersion, kind, name: metadata?.name };
  const Model = await modelClass(apiVersion, kind);
  if (!Model)
    return { ...ref, error: `no Kubernetes schema for apiVersion "${apiVersion}" kind "${kind}"` };
  try {
    new Model(doc).validate();
    return ref;
  } catch (err) {
    return { ...ref, error: err.message };
  }
}

async function main() {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const file = args.find((a) => a !== '--json');
  const text = readFileSync(file ?? 0, 'utf8');
  const docs = parseAllDocuments(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) {
    console.error(`validate-k8s: not YAML: ${broken.errors[0].message}`);
    process.exit(2);
  }
  const objects = docs.map((d) => d.toJS()).filter((o) => o !== null && o !== undefined);
  const results = await Promise.all(objects.map(check));
  const failed = results.filter((r) => r.error);
  if (json) {
    console.log(
      JSON.stringify({ checked: results.length, failed: failed.length, results }, null, 2),
    );
  } else {
    for (const r of results) {
      console.log(
        `${r.error ? 'INVALID' : 'ok     '} ${r.kind}/${r.name}${r.error ? `: ${r.error}` : ''}`,
      );
    }
    console.log(`${results.length} objects, ${failed.length} invalid`);
  }
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  console.error(`validate-k8s: ${err.message}`);
  process.exit(2);
});
