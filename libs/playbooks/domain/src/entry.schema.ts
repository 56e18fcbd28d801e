import { idSchema } from '@reverie/contracts';
import { z } from 'zod';
import { ruleSchema } from './condition.schema';

/** Hard limits any stored entry respects; the configurable budgets live in the content guard. */
export const ENTRY_LIMITS = {
  title: 200,
  guidance: 20_000,
  rationale: 8_000,
  note: 2_000,
  evidence: 500,
  reason: 1_000,
} as const;

export const ENTRY_STATUSES = ['proposed', 'active', 'retired'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];

const isoDate = z.iso.datetime({ offset: true });
const oneLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\r\n]/.test(s), 'must be a single line');

/** A session (and optionally the decision step and role in it) that taught an entry. */
export const evidenceSchema = z
  .object({
    sessionId: idSchema,
    step: z.number().int().nonnegative().optional(),
    role: z.string().min(1).max(64).optional(),
    note: z.string().max(ENTRY_LIMITS.note).optional(),
  })
  .strict();

export const entryTextFields = {
  title: oneLine(ENTRY_LIMITS.title),
  /** Written for a model to read: what to do, when. */
  guidance: z.string().trim().min(1).max(ENTRY_LIMITS.guidance),
  /** Why the entry exists, for the people who review it. */
  rationale: z.string().trim().min(1).max(ENTRY_LIMITS.rationale),
};

export const playbookEntrySchema = z.object({
  id: idSchema,
  ...entryTextFields,
  evidence: z.array(evidenceSchema).max(ENTRY_LIMITS.evidence),
  /** Optional structured form that deterministic policies and validators execute. */
  rule: ruleSchema.optional(),
  /** Sessions that ran with the entry and went well / badly. */
  helpful: z.number().int().nonnegative(),
  harmful: z.number().int().nonnegative(),
  status: z.enum(ENTRY_STATUSES),
  /** Set when the entry was retired by a merge: the entry that now carries its lesson. */
  mergedInto: idSchema.optional(),
  retiredReason: z.string().max(ENTRY_LIMITS.reason).optional(),
  createdAt: isoDate.optional(),
  updatedAt: isoDate.optional(),
});

export type Evidence = z.infer<typeof evidenceSchema>;
export type PlaybookEntry = z.infer<typeof playbookEntrySchema>;

/** What an `add` delta carries: the id is derived from the content when left out. */
export const newEntrySchema = z
  .object({
    id: idSchema.optional(),
    ...entryTextFields,
    evidence: z.array(evidenceSchema).max(ENTRY_LIMITS.evidence).default([]),
    rule: ruleSchema.optional(),
    status: z.enum(['proposed', 'active']).default('active'),
    helpful: z.number().int().nonnegative().default(0),
    harmful: z.number().int().nonnegative().default(0),
  })
  .strict();

export type NewEntryInput = z.input<typeof newEntrySchema>;
