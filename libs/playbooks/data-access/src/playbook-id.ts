/**
 * The id of the playbook of an agent, or of one role of it. Deterministic, so every service (the
 * gateway, the dreamer) names the same playbook without a lookup. Agent ids are generated and
 * unique across tenants, and role names are `[a-z][a-z0-9_-]*`, so the id stays readable and valid
 * as an `idSchema` id.
 */
export function playbookIdFor(agentId: string, role?: string | null): string {
  return role ? `pbk_${agentId}.${role}` : `pbk_${agentId}`;
}

/** The `_id` a version is stored under. */
export function versionDocId(playbookId: string, version: number): string {
  return `${playbookId}:v${version}`;
}
