import {
  embeddedIndexIn,
  supportingIndexIn,
  type DeclaredQuery,
  type IndexKeys,
} from '@reverie/service-kit';
import type { Schema } from 'mongoose';
import { definitionDocId, definitionHeadId } from './outcome-definition-id';
import {
  OutcomeDefinitionHeadSchema,
  OutcomeDefinitionVersionSchema,
} from './schemas/outcome-definition.schema';
import { OutcomeSchema } from './schemas/outcome.schema';

/** The schemas of the outcomes domain's collections (with their declared indexes). */
export const OUTCOMES_SCHEMAS: Record<string, Schema> = {
  outcomes: OutcomeSchema,
  outcome_definitions: OutcomeDefinitionVersionSchema,
  outcome_definition_heads: OutcomeDefinitionHeadSchema,
};

const T = 'acme';

/**
 * The queries the grader sends once per grade (`SessionGrader.grade`), checked like the sessions
 * domain's (see `DeclaredQuery`): `queries.spec.ts` asks each for an index and, being per grade,
 * for one the embedded MongoDB-wire server uses; `queries.int-spec.ts` checks the server has it.
 */
export const OUTCOMES_QUERIES: DeclaredQuery[] = [
  {
    serves: 'OutcomeDefinitionRepository.latest (the head)',
    collection: 'outcome_definition_heads',
    filter: { _id: definitionHeadId(T, 'a') },
    perSession: true,
  },
  {
    serves: "OutcomeDefinitionRepository.latest (the head's version and the next, by _id)",
    collection: 'outcome_definitions',
    filter: { _id: { $in: [definitionDocId(T, 'a', 1), definitionDocId(T, 'a', 2)] } },
    perSession: true,
  },
  {
    serves: 'OutcomeRepository.findById / record (an upsert by id: a redelivered verdict)',
    collection: 'outcomes',
    filter: { _id: 'out_x', tenantId: T },
    perSession: true,
  },
  // Not per grade: agents whose versions were all stored before heads existed, until their next
  // change (a scan on the embedded server); the version list (GET .../outcome/versions).
  {
    serves: 'OutcomeDefinitionRepository.latest of an agent without a head; list',
    collection: 'outcome_definitions',
    filter: { tenantId: T, agentId: 'a' },
    sort: { version: -1 },
  },
];

/** The index that serves `q` (`_id` for lookups by id), or null when none does. */
export function supportingIndex(q: DeclaredQuery): IndexKeys | null {
  return supportingIndexIn(OUTCOMES_SCHEMAS, q);
}

/** The index the embedded MongoDB-wire server uses for `q`, or null when it would scan. */
export function embeddedIndex(q: DeclaredQuery): IndexKeys | null {
  return embeddedIndexIn(OUTCOMES_SCHEMAS, q);
}
