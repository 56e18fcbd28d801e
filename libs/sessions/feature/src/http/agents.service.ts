import { Injectable } from '@nestjs/common';
import { notFound, parseOrThrow } from '@reverie/http';
import { AgentRepository, type AgentRecord } from '@reverie/sessions-data-access';
import {
  createAgentSchema,
  mergeAgentPatch,
  patchAgentSchema,
  patchedAgentSchema,
  type AgentSettings,
} from '@reverie/sessions-domain';
import { z } from 'zod';

/** GET /v1/agents: by name, paged by the last name seen. */
export const listAgentsQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** Cursor: the previous page's last name (a name is at most 100 characters). */
    after_name: z.string().min(1).max(100).optional(),
  })
  .strict();

/**
 * The stored dreaming settings without what the scheduler records beside them
 * (`lastScheduleError`, shown by GET): a PATCH is checked as settings, and clears that record.
 */
function settingsOnly(dreaming: AgentRecord['dreaming']): AgentSettings['dreaming'] {
  const { lastScheduleError: _recorded, ...settings } = dreaming;
  return settings;
}

@Injectable()
export class AgentsService {
  constructor(private readonly agents: AgentRepository) {}

  create(tenantId: string, body: unknown): Promise<AgentRecord> {
    const settings = parseOrThrow(createAgentSchema, body, 'agent');
    return this.agents.create(tenantId, settings);
  }

  async list(tenantId: string, query: unknown) {
    const q = parseOrThrow(listAgentsQuerySchema, query, 'query', 'query');
    const rows = await this.agents.listByName(tenantId, q.limit, q.after_name);
    return { data: rows.slice(0, q.limit), hasMore: rows.length > q.limit };
  }

  async get(tenantId: string, id: string): Promise<AgentRecord> {
    const agent = await this.agents.findById(tenantId, id);
    if (!agent) throw notFound(`agent "${id}" not found; create one with POST /v1/agents`);
    return agent;
  }

  async update(tenantId: string, id: string, body: unknown): Promise<AgentRecord> {
    const patch = parseOrThrow(patchAgentSchema, body, 'agent update');
    const current = await this.get(tenantId, id);
    const currentSettings: AgentSettings = {
      name: current.name,
      description: current.description,
      roles: current.roles,
      model: current.model,
      dreaming: settingsOnly(current.dreaming),
    };
    const merged = parseOrThrow(
      patchedAgentSchema,
      mergeAgentPatch(currentSettings, patch),
      'agent update',
    );
    const updated = await this.agents.replaceSettings(tenantId, id, merged);
    if (!updated) throw notFound(`agent "${id}" not found; create one with POST /v1/agents`);
    return updated;
  }
}
