/**
 * A problem with triage input (a dataset file, a rule, a tool call, an answer). The message says
 * what was wrong and where, so it can be shown to a person or returned to a model as a tool error.
 */
export class TriageError extends Error {
  override readonly name = 'TriageError';
}
