/**
 * Creates an admin API key for a tenant, directly in MongoDB (no gateway needed). This is how the
 * first key is made; with it, `reverie api-keys create|list|revoke` (or /v1/api-keys) manages the
 * others:
 *
 *   MONGO_URL=mongodb://127.0.0.1:27017 npm run api-key -- create --tenant acme --name ops
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApiKey } from '@reverie/sessions-feature';
import { parseArgs } from 'node:util';

const USAGE =
  'usage: npm run api-key -- create --tenant <tenant id> [--name <label>] [--json]\n' +
  '       (reads MONGO_URL, default mongodb://127.0.0.1:27017, and MONGO_DB, default reverie)';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        name: { type: 'string', default: 'default' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (
    positionals[0] !== 'create' ||
    !values.tenant ||
    !/^[A-Za-z0-9_.:-]{1,128}$/.test(values.tenant)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const mongo = {
    url: process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
    db: process.env.MONGO_DB ?? 'reverie',
  };
  // This process only prints the key: Nest's start-up lines would be noise here.
  Logger.overrideLogger(false);
  try {
    const key = await createApiKey(mongo, values.tenant, values.name);
    if (values.json)
      process.stdout.write(
        `${JSON.stringify({ tenantId: values.tenant, ...key, scopes: ['admin'] })}\n`,
      );
    else
      process.stdout.write(
        `created admin key ${key.keyId} for tenant "${values.tenant}"; it is shown only once:\n${key.token}\n` +
          "manage the tenant's keys with it: reverie api-keys create --name <label> | list | revoke <id>\n",
      );
    return 0;
  } catch (err) {
    process.stderr.write(
      `could not create the key (MongoDB at ${mongo.url}): ${(err as Error).message}\n`,
    );
    return 1;
  }
}

main().then((code) => process.exit(code));
