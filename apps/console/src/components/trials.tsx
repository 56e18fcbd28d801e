import type { PlaybookTrial } from '@reverie/client';
import { trialVersionsText } from '../lib/trials';
import { ErrorMessage, Loading, Pager, Section, Status, Table, When } from './common';
import { percent } from '../lib/percent';

/** What a trial's decision word reads as for a person. */
const DECISIONS: Record<NonNullable<PlaybookTrial['decision']>['decision'], string> = {
  promote: 'Promote',
  rollback: 'Roll back',
  continue: 'Undecided',
  stop: 'Stopped',
};

/**
 * An agent's canary trials (GET /v1/agents/:id/trials), newest first: the versions on trial, the
 * share of new sessions the candidate gets, each arm's counts, and the decision with its reason.
 */
export function Trials({
  trials,
  loading,
  error,
  page,
  onPrev,
  onNext,
}: {
  trials?: { data: PlaybookTrial[]; has_more: boolean };
  loading: boolean;
  error: unknown;
  page: number;
  onPrev: () => void;
  onNext: () => void;
}) {
  return (
    <Section title="Canary trials">
      <p className="small muted">
        A dream without a sandbox puts its candidate on trial: it serves a share of the agent’s new
        sessions, and the grader’s verdicts on both arms decide (a sequential test on paired
        outcomes).
      </p>
      {loading && <Loading what="the trials" />}
      <ErrorMessage error={error} />
      {trials?.data.length === 0 && page === 1 && <p>No trials.</p>}
      <ul className="trials">
        {trials?.data.map((t) => (
          <Trial key={t.id} trial={t} />
        ))}
      </ul>
      {(page > 1 || trials?.has_more) && (
        <Pager
          label="Trials"
          page={page}
          hasMore={Boolean(trials?.has_more)}
          onPrev={onPrev}
          onNext={onNext}
        />
      )}
    </Section>
  );
}

function Trial({ trial: t }: { trial: PlaybookTrial }) {
  const d = t.decision;
  return (
    <li className="card-inner" data-trial={t.id}>
      <p>
        <Status value={t.status} /> <span className="mono small">{t.id}</span> started{' '}
        <When at={t.started_at} />
        {t.ended_at && (
          <>
            , ended <When at={t.ended_at} />
          </>
        )}{' '}
        by dream <a href={`#/dreams/${encodeURIComponent(t.dream_id)}`}>{t.dream_id}</a>
      </p>
      <p>
        {trialVersionsText(t.playbooks)}: the candidate gets {percent(t.share)} of new sessions;{' '}
        {t.publish === 'propose'
          ? 'if it wins, it waits for a person’s approval'
          : 'if it wins, it becomes the active version'}
        .
      </p>
      <Table
        label={`the arms of trial ${t.id}`}
        columns={['Arm', 'Sessions', 'Graded', 'Succeeded', 'Success rate']}
      >
        {(['candidate', 'control'] as const).map((arm) => {
          const a = t.arms[arm];
          return (
            <tr key={arm}>
              <td>{arm}</td>
              <td>{a.sessions}</td>
              <td>{a.graded}</td>
              <td>{a.succeeded}</td>
              <td>{a.success_rate === null ? '—' : percent(a.success_rate)}</td>
            </tr>
          );
        })}
      </Table>
      {d ? (
        <p className="small" data-testid="trial-decision">
          <strong>{DECISIONS[d.decision]}</strong> <When at={d.decided_at} />: {d.reason}
          {d.pairs > 0 &&
            ` (${d.pairs} pair(s), ${d.discordant} discordant, the candidate won ${d.candidate_wins})`}
        </p>
      ) : (
        <p className="small muted" data-testid="trial-decision">
          Undecided: the test decides at alpha {t.rule.alpha}, beta {t.rule.beta} (a win rate of{' '}
          {t.rule.theta1} on discordant pairs), or rolls back after {t.rule.max_discordant}{' '}
          discordant or {t.rule.max_pairs} graded pairs.
        </p>
      )}
    </li>
  );
}
