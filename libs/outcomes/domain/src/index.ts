export * from './errors';
export * from './fact-names';
export * from './criterion.schema';
export * from './outcome-definition.schema';
export * from './json-path';
export type {
  Facts,
  FactValue,
  FinalAnswer,
  ModelCallFact,
  SessionInfo,
  TokenTotals,
} from './fact-types';
export { sessionFacts, resolveEnvironment, sessionTaskKey } from './session-facts';
export { SUBMIT_ANSWER, submittedRanges } from '@reverie/ci-log-triage';
export * from './token-pricing';
export * from './judge';
export * from './transcript';
export * from './signals';
export type { CriterionGrade, JudgeUsageTotals } from './evaluators/evaluation';
export { failedGraded } from './evaluators/evaluation';
export { JUDGE_TRANSCRIPT_CHARS, NOT_GRADABLE_OFFLINE } from './evaluators/judge-criterion';
export type { GradeResult } from './grade-summary';
export * from './grade-session';
