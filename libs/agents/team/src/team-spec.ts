/**
 * A multi-agent team: one coordinator and the named role agents it works with. The coordinator is
 * itself one of the roles (in the lunar team the Commander coordinates the Detector and the
 * Navigator). Role names are lowercase ids because they appear in event ids and playbook ids.
 */
export interface TeamSpec {
  readonly name: string;
  readonly coordinator: string;
  /** Every role, the coordinator included, in the order they act within a step. */
  readonly roles: readonly string[];
}

export const ROLE_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/** A team spec checked once: known roles, a coordinator among them, no duplicates. */
export function defineTeam(spec: TeamSpec): TeamSpec {
  const bad = spec.roles.filter((r) => !ROLE_NAME.test(r));
  if (bad.length)
    throw new Error(`team ${spec.name}: role names must match ${ROLE_NAME}: ${bad.join(', ')}`);
  if (new Set(spec.roles).size !== spec.roles.length)
    throw new Error(`team ${spec.name}: a role is listed twice in ${spec.roles.join(', ')}`);
  if (!spec.roles.includes(spec.coordinator))
    throw new Error(`team ${spec.name}: coordinator "${spec.coordinator}" is not one of its roles`);
  return Object.freeze({ ...spec, roles: Object.freeze([...spec.roles]) });
}

/**
 * Why per-role settings name roles the team does not have, or null when they are all known. A run
 * that sets a model for `pilot` on a team without one should be refused, not silently ignored.
 */
export function unknownRoles(team: TeamSpec, named: Iterable<string>): string | null {
  const unknown = [...named].filter((r) => !team.roles.includes(r));
  return unknown.length
    ? `the ${team.name} team has no role ${unknown.map((r) => `"${r}"`).join(', ')}; its roles are ${team.roles.join(', ')}`
    : null;
}
