import { Logger } from '@nestjs/common';
import { playbookKey, type PlaybookVersionActivated } from '@reverie/contracts';
import { playbookEntrySchema, type PlaybookEntry } from '@reverie/playbooks-domain';

/** The version of an agent's (or one role's) playbook that sessions run with now. */
export interface ActivePlaybook {
  playbookId: string;
  agentId: string;
  role: string | null;
  version: number;
  entries: PlaybookEntry[];
}

/**
 * Every agent's active playbook, as learned from the compacted playbook topic (the latest message
 * per key is the active version). In memory: a replica rebuilds it by reading the topic from the
 * start when it boots.
 */
export class PlaybookCatalog {
  private readonly logger = new Logger(PlaybookCatalog.name);
  private readonly byKey = new Map<string, ActivePlaybook>();

  /**
   * Takes a version as the active one; entries that break the entry schema are left out. Versions
   * only grow (a rollback is a new version), so an older one arriving late (two gateway replicas
   * publishing out of order) is ignored.
   */
  activate(message: PlaybookVersionActivated): ActivePlaybook {
    const { playbookId, role, version } = message.payload;
    const key = playbookKey(message.tenantId, message.agentId, role);
    const current = this.byKey.get(key);
    if (current && current.version > version) {
      this.logger.warn(
        `playbook ${playbookId}: ignored v${version}, older than the active v${current.version}`,
      );
      return current;
    }
    const entries: PlaybookEntry[] = [];
    message.payload.entries.forEach((raw, i) => {
      const parsed = playbookEntrySchema.safeParse(raw);
      if (parsed.success) entries.push(parsed.data);
      else {
        const issue = parsed.error.issues[0];
        this.logger.warn(
          `playbook ${playbookId} v${version}: ignored entries[${i}] (${String(raw['id'] ?? 'no id')}): ${issue.path.join('.') || '(entry)'} ${issue.message}`,
        );
      }
    });
    const active = { playbookId, agentId: message.agentId, role, version, entries };
    this.byKey.set(key, active);
    return active;
  }

  /** A tombstone on the compacted topic: the agent (or role) has no playbook any more. */
  forget(key: string): void {
    this.byKey.delete(key);
  }

  get(tenantId: string, agentId: string, role: string | null = null): ActivePlaybook | null {
    return this.byKey.get(playbookKey(tenantId, agentId, role)) ?? null;
  }

  get size(): number {
    return this.byKey.size;
  }
}
