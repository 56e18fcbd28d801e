import type { HttpMethod } from './transport';

/**
 * Every route of the public API the client calls, as the gateway's OpenAPI document names it
 * (`{param}` templates). A spec reads the served document and fails when a route is missing here,
 * so a new route cannot go unnoticed by the client.
 */
export const ROUTES = {
  me: ['GET', '/v1/me'],
  'agents.create': ['POST', '/v1/agents'],
  'agents.list': ['GET', '/v1/agents'],
  'agents.get': ['GET', '/v1/agents/{id}'],
  'agents.update': ['PATCH', '/v1/agents/{id}'],

  'sessions.create': ['POST', '/v1/sessions'],
  'sessions.list': ['GET', '/v1/sessions'],
  'sessions.get': ['GET', '/v1/sessions/{id}'],
  'sessions.end': ['POST', '/v1/sessions/{id}/end'],
  'sessions.appendEvents': ['POST', '/v1/sessions/{id}/events'],
  'sessions.events': ['GET', '/v1/sessions/{id}/events'],
  'sessions.sendFeedback': ['POST', '/v1/sessions/{id}/feedback'],
  'sessions.feedback': ['GET', '/v1/sessions/{id}/feedback'],
  'sessions.outcome': ['GET', '/v1/sessions/{id}/outcome'],

  'batches.create': ['POST', '/v1/batches'],
  'batches.list': ['GET', '/v1/batches'],
  'batches.get': ['GET', '/v1/batches/{id}'],
  'batches.cancel': ['POST', '/v1/batches/{id}/cancel'],

  'outcomes.define': ['PUT', '/v1/agents/{id}/outcome'],
  'outcomes.definition': ['GET', '/v1/agents/{id}/outcome'],
  'outcomes.definitionVersions': ['GET', '/v1/agents/{id}/outcome/versions'],
  'outcomes.list': ['GET', '/v1/outcomes'],
  'outcomes.regrade': ['POST', '/v1/outcomes/regrade'],

  'dreams.create': ['POST', '/v1/dreams'],
  'dreams.list': ['GET', '/v1/dreams'],
  'dreams.get': ['GET', '/v1/dreams/{id}'],
  'dreams.cancel': ['POST', '/v1/dreams/{id}/cancel'],
  'dreams.archive': ['POST', '/v1/dreams/{id}/archive'],
  'dreams.report': ['GET', '/v1/dreams/{id}/report'],
  'dreaming.setPause': ['PUT', '/v1/dreaming/pause'],
  'dreaming.pause': ['GET', '/v1/dreaming/pause'],
  'dreaming.agent': ['GET', '/v1/agents/{id}/dreaming'],

  'playbooks.active': ['GET', '/v1/agents/{agentId}/playbook'],
  'playbooks.versions': ['GET', '/v1/agents/{agentId}/playbook/versions'],
  'playbooks.version': ['GET', '/v1/agents/{agentId}/playbook/versions/{version}'],
  'playbooks.approve': ['POST', '/v1/agents/{agentId}/playbook/versions/{version}/approve'],
  'playbooks.reject': ['POST', '/v1/agents/{agentId}/playbook/versions/{version}/reject'],
  'playbooks.diff': ['GET', '/v1/agents/{agentId}/playbook/diff'],
  'playbooks.render': ['GET', '/v1/agents/{agentId}/playbook/render'],
  'playbooks.addEntry': ['POST', '/v1/agents/{agentId}/playbook/entries'],
  'playbooks.updateEntry': ['PATCH', '/v1/agents/{agentId}/playbook/entries/{entryId}'],
  'playbooks.retireEntry': ['POST', '/v1/agents/{agentId}/playbook/entries/{entryId}/retire'],
  'playbooks.rollback': ['POST', '/v1/agents/{agentId}/playbook/rollback'],
  'playbooks.publish': ['POST', '/v1/agents/{agentId}/playbook/publish'],
  'trials.list': ['GET', '/v1/agents/{agentId}/trials'],
  'trials.get': ['GET', '/v1/agents/{agentId}/trials/{trialId}'],

  'webhooks.create': ['POST', '/v1/webhooks'],
  'webhooks.list': ['GET', '/v1/webhooks'],
  'webhooks.get': ['GET', '/v1/webhooks/{id}'],
  'webhooks.delete': ['DELETE', '/v1/webhooks/{id}'],
  'webhooks.deliveries': ['GET', '/v1/webhooks/{id}/deliveries'],

  'apiKeys.create': ['POST', '/v1/api-keys'],
  'apiKeys.list': ['GET', '/v1/api-keys'],
  'apiKeys.get': ['GET', '/v1/api-keys/{id}'],
  'apiKeys.revoke': ['POST', '/v1/api-keys/{id}/revoke'],

  // Not in the OpenAPI document (no /v1, no key): every service serves them.
  'health.live': ['GET', '/health/live'],
  'health.ready': ['GET', '/health/ready'],
} as const satisfies Record<string, readonly [HttpMethod, string]>;

/** Routes every service serves outside the documented API. */
export const UNDOCUMENTED_ROUTES: readonly RouteName[] = ['health.live', 'health.ready'];

export type RouteName = keyof typeof ROUTES;

/** A route's path with its `{params}` filled in (each encoded); throws naming a missing one. */
export function routePath(route: RouteName, params: Record<string, string | number> = {}): string {
  return ROUTES[route][1].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`${route}: ${name} is required`);
    return encodeURIComponent(String(value));
  });
}
