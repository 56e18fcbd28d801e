#!/usr/bin/env node
// The `reverie` CLI (tools/cli). TypeScript is compiled on the fly by @swc-node/register, which
// also resolves the workspace's @reverie/* aliases.
const { join } = require('node:path');
const root = join(__dirname, '..');
try {
  require.resolve('@swc-node/register');
} catch {
  // A clone before `npm ci`: one line saying what to run, not Node's module-not-found trace.
  process.stderr.write(
    `reverie: the project's dependencies are not installed; run \`npm ci\` in ${root} first\n`,
  );
  process.exit(1);
}
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || join(root, 'tsconfig.base.json');
require('@swc-node/register');
require('../tools/cli/src/entry.ts').start(process.argv.slice(2));
