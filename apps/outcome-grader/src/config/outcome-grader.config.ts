import {
  anthropicEnvShape,
  anthropicFrom,
  datasetsDirFrom,
  datasetsEnvShape,
  envInt,
  parseEnv,
  serviceEnvSchema,
  toServiceConfig,
  type AnthropicSettings,
  type ServiceConfig,
} from '@reverie/service-kit';
import { z } from 'zod';

const graderEnvSchema = serviceEnvSchema.extend({
  PORT: envInt(0, 65_535).default(3002),
  /** Sessions one replica grades at once. */
  GRADE_CONCURRENCY: envInt(1, 200).default(8),
  /**
   * Times the grader looks for a session whose end is not stored yet (the gateway's ingest is
   * behind) before it dead-letters the ended event with the reason.
   */
  GRADE_READ_ATTEMPTS: envInt(1, 100).default(10),
  /** The model that judges `judge` criteria that name none. */
  JUDGE_MODEL: z.string().min(1).max(128).default('claude-sonnet-4-5'),
  ...datasetsEnvShape,
  ...anthropicEnvShape,
});

export interface OutcomeGraderConfig extends ServiceConfig {
  gradeConcurrency: number;
  readAttempts: number;
  judgeModel: string;
  datasetsDir: string;
  anthropic?: AnthropicSettings;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
): OutcomeGraderConfig {
  const parsed = parseEnv(graderEnvSchema, env);
  return {
    ...toServiceConfig('outcome-grader', parsed.PORT, parsed),
    gradeConcurrency: parsed.GRADE_CONCURRENCY,
    readAttempts: parsed.GRADE_READ_ATTEMPTS,
    judgeModel: parsed.JUDGE_MODEL,
    datasetsDir: datasetsDirFrom(parsed),
    ...anthropicFrom(parsed),
  };
}
