import { z } from 'zod';
import { defineEvent, idSchema } from '../envelope.schema';

/**
 * A playbook version became active for an agent (or one of its roles). Carries the whole version
 * so a consumer needs nothing else; entries are validated by @reverie/playbooks-domain on use.
 */
export const playbookVersionActivatedEvent = defineEvent(
  'playbook.version_activated',
  z.object({
    playbookId: idSchema,
    role: z.string().min(1).max(64).nullable(),
    version: z.number().int().positive(),
    entries: z.array(z.record(z.string(), z.unknown())),
  }),
);

export const playbookTopicMessageSchema = z.discriminatedUnion('type', [
  playbookVersionActivatedEvent,
]);

export type PlaybookVersionActivated = z.infer<typeof playbookVersionActivatedEvent>;
