import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiError, unauthenticated } from './api-error';
import {
  ApiKeyAuthenticator,
  ApiKeyGuard,
  RequireScope,
  type ApiCaller,
  type TenantRequest,
} from './api-key.guard';

@Controller()
class Routes {
  @Get()
  open() {
    return 'open';
  }

  @Get()
  @RequireScope('admin')
  admin() {
    return 'admin';
  }
}

class KnownKeys extends ApiKeyAuthenticator {
  constructor(private readonly keys: Record<string, ApiCaller>) {
    super();
  }
  async authenticate(presented: string): Promise<ApiCaller> {
    const caller = this.keys[presented];
    if (!caller) throw unauthenticated('invalid or revoked API key');
    return caller;
  }
}

function contextFor(handler: keyof Routes, headers: Record<string, string>) {
  const request = { header: (name: string) => headers[name] } as TenantRequest;
  const context = {
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
  } as unknown as ExecutionContext;
  return { request, context };
}

async function refusal(guard: ApiKeyGuard, context: ExecutionContext): Promise<ApiError> {
  try {
    await guard.canActivate(context);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('let through');
}

describe('ApiKeyGuard', () => {
  const guard = new ApiKeyGuard(
    new KnownKeys({
      rvk_a_s: { tenantId: 'acme', keyId: 'a', scopes: [] },
      rvk_b_s: { tenantId: 'acme', keyId: 'b', scopes: ['admin'] },
    }),
    new Reflector(),
  );

  it('puts the tenant and the key of the request on it, from either header', async () => {
    const both: Record<string, string>[] = [
      { 'x-api-key': 'rvk_a_s' },
      { authorization: 'Bearer rvk_a_s' },
    ];
    for (const headers of both) {
      const { request, context } = contextFor('open', headers);
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(request.tenantId).toBe('acme');
      expect(request.apiKey).toEqual({ keyId: 'a', scopes: [] });
    }
  });

  it('answers 401 for two different keys, one in each header, and takes the same key twice', async () => {
    const two = await refusal(
      guard,
      contextFor('open', { 'x-api-key': 'rvk_b_s', authorization: 'Bearer rvk_a_s' }).context,
    );
    expect(two.status).toBe(401);
    expect(two.message).toMatch(/two different API keys/);
    const same = contextFor('open', { 'x-api-key': 'rvk_a_s', authorization: 'Bearer rvk_a_s' });
    await expect(guard.canActivate(same.context)).resolves.toBe(true);
    expect(same.request.apiKey).toEqual({ keyId: 'a', scopes: [] });
  });

  it('answers 401 without a key or with one the authenticator refuses', async () => {
    const missing = await refusal(guard, contextFor('open', {}).context);
    expect([missing.status, missing.message]).toEqual([
      401,
      expect.stringMatching(/^missing API key/),
    ]);
    const unknown = await refusal(guard, contextFor('open', { 'x-api-key': 'rvk_x_s' }).context);
    expect([unknown.status, unknown.message]).toEqual([401, 'invalid or revoked API key']);
  });

  it('answers 403 naming the scope a RequireScope route needs', async () => {
    const plain = await refusal(guard, contextFor('admin', { 'x-api-key': 'rvk_a_s' }).context);
    expect(plain.status).toBe(403);
    expect(plain.message).toMatch(/lacks the "admin" scope/);
    await expect(
      guard.canActivate(contextFor('admin', { 'x-api-key': 'rvk_b_s' }).context),
    ).resolves.toBe(true);
  });
});
