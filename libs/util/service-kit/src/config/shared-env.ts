import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/**
 * Environment variables more than one service reads: where the bundled datasets are, and how to
 * reach the Anthropic API. Spread into a service's env schema; turn the parsed values into config
 * with `datasetsDirFrom` and `anthropicFrom`.
 */
export const datasetsEnvShape = {
  /** Holds the environments' datasets (`ci-breakages/`); default: the repository's own `datasets/`. */
  DATASETS_DIR: z.string().min(1).optional(),
};

export const anthropicEnvShape = {
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z
    .url({ error: 'must be a URL such as https://api.anthropic.com' })
    .optional(),
};

/** Connection settings of the anthropic provider; absent when no key is configured. */
export interface AnthropicSettings {
  apiKey: string;
  baseURL?: string;
}

export function datasetsDirFrom(parsed: { DATASETS_DIR?: string }): string {
  return resolve(parsed.DATASETS_DIR ?? bundledDatasetsDir());
}

export function anthropicFrom(parsed: {
  ANTHROPIC_API_KEY?: string;
  ANTHROPIC_BASE_URL?: string;
}): { anthropic?: AnthropicSettings } {
  return parsed.ANTHROPIC_API_KEY
    ? { anthropic: { apiKey: parsed.ANTHROPIC_API_KEY, baseURL: parsed.ANTHROPIC_BASE_URL } }
    : {};
}

/**
 * `<repo>/datasets`, the datasets vendored in the repository (each with its licence): the
 * repository root is the nearest folder above this file with an `nx.json`, which holds both from
 * the sources and from the build output under `dist/`. A container image sets `DATASETS_DIR`.
 */
export function bundledDatasetsDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return join(dir, 'datasets');
    if (dirname(dir) === dir) return join(process.cwd(), 'datasets');
  }
}
