/** What the orchestrator reads of a managed session before it runs its command. */
export interface SessionGateView {
  status: string;
  endReason?: string | null;
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
