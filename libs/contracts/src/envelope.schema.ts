import { z } from 'zod';

/** Identifiers are opaque strings; bounded so a hostile client cannot bloat indexes. */
export const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'may contain only letters, digits and _ . : -');

export const SCHEMA_VERSION = 1 as const;

/**
 * The envelope every message carries. `id` is unique per logical message and is what consumers
 * de-duplicate on. `seq` is the per-session, gap-free position a stored session event receives; it
 * is assigned by the consumer that stores the event (the only writer for that session's
 * partition), so inbound messages carry it only where it is already known.
 */
export const envelopeBaseSchema = z.object({
  id: z.string().min(1).max(128),
  type: z.string(),
  tenantId: idSchema,
  agentId: idSchema,
  sessionId: idSchema.optional(),
  seq: z.number().int().positive().optional(),
  occurredAt: z.iso.datetime({ offset: true }),
  schemaVersion: z.literal(SCHEMA_VERSION),
  payload: z.unknown(),
});

export type EnvelopeBase = z.infer<typeof envelopeBaseSchema>;

/** Builds the schema of one event type: the envelope with a literal `type` and its payload. */
export function defineEvent<const T extends string, P extends z.ZodType>(type: T, payload: P) {
  return envelopeBaseSchema.extend({ type: z.literal(type), payload });
}
