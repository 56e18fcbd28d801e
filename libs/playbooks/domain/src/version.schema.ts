import { idSchema } from '@reverie/contracts';
import { z } from 'zod';
import { playbookEntrySchema } from './entry.schema';
import { learnedFromSchema } from './learned-from';

export const authorSchema = z
  .object({
    kind: z.enum(['person', 'dream']),
    /** The person's user id or the dream's id. */
    id: idSchema,
  })
  .strict();
export type Author = z.infer<typeof authorSchema>;

export const DIFF_FIELDS = [
  'title',
  'guidance',
  'rationale',
  'evidence',
  'rule',
  'helpful',
  'harmful',
  'status',
  'mergedInto',
  'retiredReason',
] as const;
export type DiffField = (typeof DIFF_FIELDS)[number];

const entryRef = z.object({ id: idSchema, title: z.string() });

export const playbookDiffSchema = z.object({
  added: z.array(entryRef),
  removed: z.array(entryRef),
  changed: z.array(
    entryRef.extend({
      changes: z.array(
        z.object({ field: z.enum(DIFF_FIELDS), before: z.unknown(), after: z.unknown() }),
      ),
    }),
  ),
});
export type PlaybookDiff = z.infer<typeof playbookDiffSchema>;
export type EntryChange = PlaybookDiff['changed'][number];

export const VERSION_STATUSES = ['active', 'proposed', 'rejected', 'superseded'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

export const playbookVersionSchema = z.object({
  playbookId: idSchema,
  agentId: idSchema,
  /** Set when the playbook belongs to one role of a multi-agent team. */
  role: z.string().min(1).max(64).optional(),
  version: z.number().int().positive(),
  parentVersion: z.number().int().positive().nullable(),
  author: authorSchema,
  message: z.string().max(2_000).optional(),
  createdAt: z.iso.datetime({ offset: true }),
  /** In a stable order: adds append, nothing else reorders. */
  entries: z.array(playbookEntrySchema),
  status: z.enum(VERSION_STATUSES),
  /** What changed from `parentVersion` (from the empty playbook for the first version). */
  diff: playbookDiffSchema,
  /**
   * What the dreams that wrote its rules learned from and chose on (carried from version to
   * version; a rollback takes the target's). Absent: no dream changed its rules, or not recorded.
   */
  learnedFrom: z.array(learnedFromSchema).optional(),
});
export type PlaybookVersion = z.infer<typeof playbookVersionSchema>;

/**
 * What deltas apply to: a stored version, or `emptyPlaybook(...)` (version 0, never stored) for
 * an agent that has no playbook yet.
 */
export type PlaybookBase = Pick<
  PlaybookVersion,
  'playbookId' | 'agentId' | 'role' | 'entries' | 'learnedFrom'
> & {
  version: number;
};

export function emptyPlaybook(ids: {
  playbookId: string;
  agentId: string;
  role?: string;
}): PlaybookBase {
  return { ...ids, version: 0, entries: [] };
}
