import type { ReverieClient } from '@reverie/client';
import type { Progress } from '../progress';

/** What every command gets: the API, output channels and how to wait. */
export interface CommandContext {
  /** The API (@reverie/client); reading it without an API key is a usage error (exit 2). */
  readonly client: ReverieClient;
  json: boolean;
  progress: Progress;
  /** Results: stdout. */
  out: (line: string) => void;
  /** Progress and notes: stderr, so `--json` output stays clean. */
  log: (line: string) => void;
  /** Calls `check` until it returns true or the timeout passes. */
  poll: (check: () => Promise<boolean>) => Promise<void>;
  /** `run` fields from --provider / --model, when given. */
  modelOverride: { model?: { provider: 'builtin' | 'anthropic'; model?: string } };
}
