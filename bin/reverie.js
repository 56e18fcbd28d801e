#!/usr/bin/env node
// The `reverie` CLI (tools/cli). TypeScript is compiled on the fly by @swc-node/register, which
// also resolves the workspace's @reverie/* aliases.
const { join } = require('node:path');
process.env.SWC_NODE_PROJECT =
  process.env.SWC_NODE_PROJECT || join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
require('../tools/cli/src/entry.ts').start(process.argv.slice(2));
