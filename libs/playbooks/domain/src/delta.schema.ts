import { idSchema } from '@reverie/contracts';
import { z } from 'zod';
import { ENTRY_LIMITS, entryTextFields, evidenceSchema, newEntrySchema } from './entry.schema';
import { ruleSchema } from './condition.schema';

/** Partial fields of one entry. `rule: null` removes the rule; `addEvidence` appends. */
export const entryPatchSchema = z
  .object({
    title: entryTextFields.title.optional(),
    guidance: entryTextFields.guidance.optional(),
    rationale: entryTextFields.rationale.optional(),
    /** Replaces the evidence list. */
    evidence: z.array(evidenceSchema).max(ENTRY_LIMITS.evidence).optional(),
    addEvidence: z.array(evidenceSchema).max(ENTRY_LIMITS.evidence).optional(),
    rule: ruleSchema.nullable().optional(),
    /** Promote a proposed entry or demote an active one; retiring is its own delta. */
    status: z.enum(['proposed', 'active']).optional(),
  })
  .strict();
export type EntryPatch = z.infer<typeof entryPatchSchema>;

const reason = z.string().trim().min(1).max(ENTRY_LIMITS.reason).optional();

export const addDeltaSchema = z.object({ kind: z.literal('add'), entry: newEntrySchema }).strict();

export const updateDeltaSchema = z
  .object({
    kind: z.literal('update'),
    id: idSchema,
    patch: entryPatchSchema.refine(
      (p) => Object.keys(p).length > 0,
      'must change at least one field',
    ),
  })
  .strict();

/** Several entries into one: `into` keeps its place and gains the others' evidence and counters. */
export const mergeDeltaSchema = z
  .object({
    kind: z.literal('merge'),
    into: idSchema,
    from: z.array(idSchema).min(1).max(50),
    patch: entryPatchSchema.optional(),
    reason,
  })
  .strict();

export const retireDeltaSchema = z
  .object({ kind: z.literal('retire'), id: idSchema, reason })
  .strict();

export const recordOutcomeDeltaSchema = z
  .object({
    kind: z.literal('record_outcome'),
    id: idSchema,
    helpful: z.number().int().nonnegative().default(0),
    harmful: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine((d) => d.helpful + d.harmful > 0, 'must count at least one helpful or harmful session');

export const deltaSchema = z.discriminatedUnion('kind', [
  addDeltaSchema,
  updateDeltaSchema,
  mergeDeltaSchema,
  retireDeltaSchema,
  recordOutcomeDeltaSchema,
]);

/** A delta as callers write it (defaults may be left out). */
export type Delta = z.input<typeof deltaSchema>;
export type ParsedDelta = z.infer<typeof deltaSchema>;
export type DeltaKind = Delta['kind'];
