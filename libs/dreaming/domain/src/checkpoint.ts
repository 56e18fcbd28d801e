import { createHash } from 'node:crypto';
import type { StageRecord } from './dream.types';

/**
 * What a dream keeps once its localise stage has ended, and again once its reflect stage has, so
 * that a run of the same dream on another replica (after a hand-back at shutdown, or a replica
 * that died) goes on from reflect, or from curate, instead of localising and searching again. Valid only for the inputs it was made from: `key` is
 * `checkpointKey` of them, and a run whose inputs differ (a playbook approved in between, a new
 * outcome definition) runs every stage again.
 */
export interface DreamCheckpoint {
  key: string;
  /** The sessions the run reviewed, in the order collect read them: a later run reviews these. */
  sessionIds: string[];
  /** The localise and reflect stages' records, as that run left them (localise alone: see drafts). */
  stages: StageRecord[];
  /** What those stages produced, as the pipeline passes it on (the environment's JSON). */
  localisations: unknown[];
  /** Null when the run ended before reflect did: a later run reflects again. */
  drafts: unknown[] | null;
  proposals: unknown[] | null;
  /** The report notes those stages wrote. */
  notes: string[];
}

/** What a checkpoint depends on: if any of it changes, the stages it holds run again. */
export interface CheckpointInputs {
  environment: string;
  sessionIds: readonly string[];
  /** Those the verdicts (the outcome definition's grades) call failed. */
  failedSessionIds: readonly string[];
  /** The active version of each role's playbook (null: none). */
  playbooks: readonly { role: string | null; version: number | null }[];
  /** The outcome definition the dream optimises (`agent` with its version, or the default). */
  objective: { source: string; version: number | null };
  /** The dream memory's refusals and dream count, which the reflector reads. */
  memory: { dreams: number; refused: readonly string[] };
  maxSimulations: number;
  model: unknown;
  instructions: string;
}

export function checkpointKey(inputs: CheckpointInputs): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}
