import {
  entryPatchSchema,
  ENTRY_LIMITS,
  newEntrySchema,
  VERSION_STATUSES,
} from '@reverie/playbooks-domain';
import { roleSchema } from '@reverie/sessions-domain';
import { z } from 'zod';

/** What a person may say about a change; stored as the version's message. */
const message = z.string().trim().min(1).max(2_000).optional();

/** `?role=`: the playbook of one role of the agent's team instead of the agent's own. */
const role = roleSchema.shape.name.optional();
const versionNumber = z.coerce.number().int().positive();

export const playbookQuerySchema = z.object({ role }).strict();

export const listVersionsQuerySchema = z
  .object({
    role,
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Cursor: versions below this one (`last_version` of the previous page). */
    before_version: versionNumber.optional(),
    /** Only versions with this status, e.g. `proposed` for the proposals awaiting a decision. */
    status: z.enum(VERSION_STATUSES).optional(),
  })
  .strict();

/** Version 0 is the empty playbook every agent starts from. */
export const diffQuerySchema = z
  .object({
    role,
    /** Defaults to the `to` version's parent. */
    from: z.coerce.number().int().min(0).optional(),
    /** Defaults to the active version. */
    to: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export const RENDER_FORMATS = ['markdown', 'rules'] as const;
export const renderQuerySchema = z
  .object({ role, format: z.enum(RENDER_FORMATS).default('markdown') })
  .strict();

export const versionParamSchema = versionNumber;

export const addEntryBodySchema = newEntrySchema.extend({ message });

export const editEntryBodySchema = entryPatchSchema
  .extend({ message })
  .refine(
    ({ message: _message, ...patch }) => Object.keys(patch).length > 0,
    'must change at least one field (title, guidance, rationale, evidence, addEvidence, rule, status)',
  );

export const retireEntryBodySchema = z
  .object({ reason: z.string().trim().min(1).max(ENTRY_LIMITS.reason).optional(), message })
  .strict();

/** Why a proposal is rejected; kept on the version for whoever proposes the next one. */
export const rejectBodySchema = z
  .object({ reason: z.string().trim().min(1).max(2_000).optional() })
  .strict();

// A JSON body carries the version as a number: coercion (fit for `?version=2`) would also take
// "2", true (1) or [3].
export const rollbackBodySchema = z
  .object({ version: z.number().int().positive(), message })
  .strict();

export type AddEntryBody = z.infer<typeof addEntryBodySchema>;
export type EditEntryBody = z.infer<typeof editEntryBodySchema>;
export type RetireEntryBody = z.infer<typeof retireEntryBodySchema>;
