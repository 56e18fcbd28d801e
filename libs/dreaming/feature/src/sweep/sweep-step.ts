/** One step of the dreamer's periodic sweep: the sweep calls each in turn with the same `now`. */
export interface SweepStep {
  /** Names the step in the log line of its failure. */
  readonly sweepName: string;
  sweep(now: Date): Promise<unknown>;
}

/** What one step of a pass did: its result, or the error it threw (the other steps still ran). */
export type SweepStepOutcome = { step: string; result: unknown } | { step: string; error: Error };
