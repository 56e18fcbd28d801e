import type { ApiKey } from '@reverie/client';
import type { CommandContext } from './command-context';

export type ApiKeysOptions =
  | { action: 'create'; name: string; scopes: string[] }
  | { action: 'list' }
  | { action: 'revoke'; id: string };

const line = (k: ApiKey) =>
  [
    k.id.padEnd(20),
    k.name.padEnd(20),
    (k.scopes.join(',') || '-').padEnd(8),
    `created ${k.created_at}`,
    `last used ${k.last_used_at ?? 'never'}`,
    ...(k.revoked_at ? [`revoked ${k.revoked_at}`] : []),
  ].join('  ');

/**
 * `reverie api-keys create|list|revoke`: the tenant's API keys, with an admin key (the one
 * `npm run api-key` prints, or one created with --scope admin).
 */
export async function apiKeysCommand(ctx: CommandContext, opts: ApiKeysOptions): Promise<number> {
  switch (opts.action) {
    case 'create': {
      const key = await ctx.client.apiKeys.create({ name: opts.name, scopes: opts.scopes });
      if (ctx.json) ctx.out(JSON.stringify(key, null, 2));
      else {
        ctx.out(`created ${line(key)}`);
        ctx.out(`the key is shown only this once; store it now:\n${key.key}`);
      }
      return 0;
    }
    case 'list': {
      const { data } = await ctx.client.apiKeys.list();
      if (ctx.json) ctx.out(JSON.stringify(data, null, 2));
      else ctx.out(data.length ? data.map(line).join('\n') : 'no active API keys');
      return 0;
    }
    case 'revoke': {
      const key = await ctx.client.apiKeys.revoke(opts.id);
      ctx.out(ctx.json ? JSON.stringify(key, null, 2) : `revoked ${line(key)}`);
      return 0;
    }
  }
}

/** The options of `api-keys <sub>` from the parsed flags; `fail` reports a usage error. */
export function apiKeysOptions(
  sub: string | undefined,
  rest: string[],
  flags: { name?: string; scope?: string[] },
  fail: (message: string) => never,
): ApiKeysOptions {
  if (sub === 'create') {
    if (!flags.name) fail('api-keys create needs --name <label>');
    const scopes = flags.scope ?? [];
    const unknown = scopes.find((s) => s !== 'admin');
    if (unknown) fail(`--scope must be admin, not "${unknown}"`);
    return { action: 'create', name: flags.name, scopes };
  }
  if (sub === 'list') return { action: 'list' };
  if (sub === 'revoke') {
    if (!rest[0]) fail('api-keys revoke needs the key id (key_…; see api-keys list)');
    return { action: 'revoke', id: rest[0] };
  }
  return fail('api-keys takes create, list or revoke');
}
