import { SCHEMA_VERSION, type PlaybookVersionActivated } from '@reverie/contracts';
import type { PlaybookVersion } from '@reverie/playbooks-domain';

/**
 * The message that tells orchestrator replicas an agent's (or role's) playbook changed. Its id is
 * the version's, so re-announcing the same version is recognisably the same message; compaction
 * keeps the latest per `<tenant>/<agent>[/<role>]`.
 */
export function versionActivatedEvent(
  tenantId: string,
  version: PlaybookVersion,
  now: Date,
): PlaybookVersionActivated {
  return {
    id: `${version.playbookId}:v${version.version}:activated`,
    type: 'playbook.version_activated',
    tenantId,
    agentId: version.agentId,
    occurredAt: now.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    payload: {
      playbookId: version.playbookId,
      role: version.role ?? null,
      version: version.version,
      entries: version.entries,
    },
  };
}
