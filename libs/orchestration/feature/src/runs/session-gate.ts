import { reopensOnRetry } from '@reverie/sessions-data-access/readers';

/** What the orchestrator reads of a managed session before and while it runs its command. */
export interface SessionGateView {
  status: string;
  endReason?: string | null;
  /** The attempt the status is of (absent: 1). */
  iteration?: number | null;
}

/**
 * Why a run command is not to be run, or null to run it: only a running session runs. A session
 * that has ended never starts, whether its client ended it or the gateway canceled it because the
 * command was not acknowledged in time (the command landed late); a keyed retry of its create
 * reopens it and sends the command again, which then runs. A session not stored (`null`: a
 * command from a producer that stores none) runs, and the ingest stores it from its started
 * message.
 */
export function skipReason(session: SessionGateView | null): string | null {
  if (!session || session.status === 'running') return null;
  return `session is ${session.status}${session.endReason ? ` (${session.endReason})` : ''}`;
}

/**
 * Why a run under way (attempt `iteration`) is to stop, or null to go on: that attempt of its
 * session ended while it ran (its client ended it, `POST /v1/sessions/:id/end`). Not the end of
 * an earlier attempt (a revision's run starts before the ingest has stored its start), not the
 * gateway's cancel of a command it thought unsent (a run that started all the same ends the
 * session with its own end: `SessionRepository.end`), and not a session that is not stored.
 */
export function stopReason(session: SessionGateView | null, iteration: number): string | null {
  if (!session || session.status === 'running' || reopensOnRetry(session)) return null;
  if ((session.iteration ?? 1) < iteration) return null;
  return `its session ended while it ran (${session.status}${session.endReason ? `: ${session.endReason}` : ''})`;
}
