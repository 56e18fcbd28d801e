import { isDeepStrictEqual } from 'node:util';

/** The `_id` one version of an agent's outcome definition is stored under. */
export function definitionDocId(tenantId: string, agentId: string, version: number): string {
  return `${tenantId}/${agentId}/${version}`;
}

/** The `_id` of the agent's head: where its latest version is found. */
export function definitionHeadId(tenantId: string, agentId: string): string {
  return `${tenantId}/${agentId}`;
}

/**
 * A definition as it is stored: plain JSON, so what is compared is what is read back (no
 * `undefined` fields, no prototypes).
 */
export function storedForm<T>(definition: T): T {
  return JSON.parse(JSON.stringify(definition)) as T;
}

/** True when two definitions say the same thing, whatever the order of their object keys. */
export function sameDefinition(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(storedForm(a), storedForm(b));
}
