/**
 * The few API calls an external agent makes, through the TypeScript client (@reverie/client):
 * start a session and read the playbooks it runs with, post its events, end it.
 */
import { ReverieClient, type EventInput } from '@reverie/client';
import type { PlaybookRule } from '@reverie/playbooks-domain';

export interface ServedPlaybook {
  role: string | null;
  version: number;
  /** Markdown to put in a model's prompt. */
  text: string;
  /** The structured rules a deterministic agent obeys. */
  rules: PlaybookRule[];
}

export interface StartedSession {
  id: string;
  playbooks: ServedPlaybook[];
}

export class ReverieRest {
  private readonly client: ReverieClient;

  constructor(baseUrl: string, apiKey: string) {
    this.client = new ReverieClient({ baseUrl, apiKey });
  }

  async startSession(
    agentId: string,
    title: string,
    metadata: Record<string, unknown>,
  ): Promise<StartedSession> {
    const session = await this.client.sessions.create({ agentId, title, metadata });
    return { id: session.id, playbooks: (session.playbooks ?? []) as ServedPlaybook[] };
  }

  /** Posts events in batches of at most 500 (the gateway's default limit). */
  async postEvents(sessionId: string, events: readonly unknown[]): Promise<void> {
    for (let i = 0; i < events.length; i += 500)
      await this.client.sessions.appendEvents(sessionId, events.slice(i, i + 500) as EventInput[]);
  }

  endSession(sessionId: string, status: 'completed' | 'failed', reason: string) {
    return this.client.sessions.end(sessionId, { status, reason });
  }
}
