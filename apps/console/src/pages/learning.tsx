import type { ConsoleApi } from '../api/endpoints';
import type { Outcome, Session } from '../api/types';
import { useApi } from '../auth';
import { AgentSelect } from '../components/agent-select';
import { ErrorMessage, Loading, Section, Table, useLoad } from '../components/common';
import { byDay, byVersion, type GradedSession, type LearningPoint } from '../lib/learning';
import { linearScale } from '../lib/flight';
import { navigate } from '../router';
import { percent } from '../lib/percent';

/** At most this many outcomes and sessions are read for the chart (10 pages of 100). */
const MAX_ITEMS = 1000;

async function readAll<T>(
  page: (after?: string) => Promise<{ data: T[]; has_more: boolean; last_id?: string | null }>,
) {
  const all: T[] = [];
  let after: string | undefined;
  while (all.length < MAX_ITEMS) {
    const p = await page(after);
    all.push(...p.data);
    if (!p.has_more || !p.last_id) break;
    after = p.last_id;
  }
  return all;
}

async function loadLearning(api: ConsoleApi, agentId: string) {
  const [outcomes, sessions] = await Promise.all([
    readAll<Outcome>((after_id) => api.outcomes({ agentId, after_id, limit: 100 })),
    readAll<Session>((after_id) => api.sessions({ agentId, after_id, limit: 100 })),
  ]);
  // One row per graded iteration; the groupings count each session once, by its final verdict.
  const graded: GradedSession[] = outcomes.map((o) => ({
    sessionId: o.sessionId,
    iteration: typeof o.iteration === 'number' ? o.iteration : 1,
    result: o.result,
    gradedAt: String(o.gradedAt),
    criteria: o.criteria.map((c) => ({
      id: String(c.id),
      passed: !!c.passed,
      gradable: c.gradable as boolean | undefined,
    })),
  }));
  return { graded, sessions: new Map(sessions.map((s) => [s.id, s as never])) };
}

/**
 * One colour per series (the success rate and each criterion), dark enough for the legend's text on
 * white. A chart with more series than colours dashes the lines that reuse one.
 */
const COLOURS = [
  '#1f5fa8', // blue
  '#b3261e', // red
  '#1e7a34', // green
  '#a35200', // orange
  '#6b3fa0', // purple
  '#00696f', // teal
  '#7a5c00', // ochre
  '#c2185b', // magenta
  '#222222', // black
  '#9c27b0', // violet
  '#5f7f1a', // olive green
  '#8c4a5a', // plum
];

export function LearningPage({ query }: { query: URLSearchParams }) {
  const api = useApi();
  const agentId = query.get('agent') ?? '';
  const by = query.get('by') === 'version' ? 'version' : 'day';
  const data = useLoad(
    () => (agentId ? loadLearning(api, agentId) : Promise.resolve(null)),
    [agentId],
  );
  const points = data.data
    ? by === 'day'
      ? byDay(data.data.graded)
      : byVersion(data.data.graded, data.data.sessions)
    : [];
  return (
    <>
      <h1>Learning</h1>
      <form className="filters" aria-label="Learning curve" onSubmit={(e) => e.preventDefault()}>
        <AgentSelect
          id="learning-agent"
          value={agentId}
          allowAll={false}
          onChange={(v) => navigate('learning', { agent: v, by })}
        />
        <fieldset className="field">
          <legend>Group by</legend>
          <label className="check">
            <input
              type="radio"
              name="by"
              checked={by === 'day'}
              onChange={() => navigate('learning', { agent: agentId, by: 'day' })}
            />{' '}
            day
          </label>
          <label className="check">
            <input
              type="radio"
              name="by"
              checked={by === 'version'}
              onChange={() => navigate('learning', { agent: agentId, by: 'version' })}
            />{' '}
            playbook version
          </label>
        </fieldset>
      </form>
      {!agentId && <p>Choose an agent to see how its graded sessions went over time.</p>}
      {data.loading && agentId && <Loading what="outcomes" />}
      <ErrorMessage error={data.error} />
      {agentId && data.data && points.length === 0 && (
        <p>No graded sessions yet: give the agent an outcome definition and run sessions.</p>
      )}
      {points.length > 0 && (
        <Section
          title={`Success rate and criteria by ${by === 'day' ? 'day' : 'playbook version'}`}
        >
          <Chart points={points} />
          <LearningTable points={points} />
          <p className="muted small">
            From the latest {MAX_ITEMS.toLocaleString()} verdicts at most (GET /v1/outcomes); a
            session sent back for revision counts once, by its last graded attempt.
          </p>
        </Section>
      )}
    </>
  );
}

function seriesOf(points: LearningPoint[]) {
  const criteria = [...new Set(points.flatMap((p) => Object.keys(p.criteria)))];
  return [
    { name: 'success rate', value: (p: LearningPoint) => p.successRate },
    ...criteria.map((c) => ({ name: c, value: (p: LearningPoint) => p.criteria[c] })),
  ];
}

function Chart({ points }: { points: LearningPoint[] }) {
  const W = 720;
  const H = 260;
  const pad = { l: 44, r: 150, t: 12, b: 40 };
  const x = linearScale([0, Math.max(1, points.length - 1)], [pad.l + 10, W - pad.r - 10]);
  const y = linearScale([0, 1], [H - pad.b, pad.t]);
  const series = seriesOf(points);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="plot chart"
      role="img"
      aria-label="Success rate and criteria pass rates (table below)"
    >
      {[0, 0.25, 0.5, 0.75, 1].map((v) => (
        <g key={v}>
          <line x1={pad.l} x2={W - pad.r} y1={y(v)} y2={y(v)} className="grid" />
          <text x={pad.l - 4} y={y(v) + 4} textAnchor="end" className="tick">
            {v * 100}%
          </text>
        </g>
      ))}
      {points.map((p, i) => (
        <text key={p.key} x={x(i)} y={H - pad.b + 14} textAnchor="middle" className="tick">
          {p.key.length > 14 ? `${p.key.slice(0, 13)}…` : p.key}
        </text>
      ))}
      {series.map((s, si) => {
        const pts = points
          .map((p, i) => [x(i), s.value(p)] as const)
          .filter(([, v]) => v !== undefined);
        const colour = COLOURS[si % COLOURS.length];
        return (
          <g key={s.name}>
            <path
              d={pts.map(([px, v], i) => `${i ? 'L' : 'M'}${px},${y(v as number)}`).join('')}
              stroke={colour}
              strokeDasharray={si >= COLOURS.length ? '6 3' : undefined}
              className={`line${si === 0 ? ' thick' : ''}`}
            />
            {pts.map(([px, v], i) => (
              <circle key={i} cx={px} cy={y(v as number)} r={si === 0 ? 4 : 3} fill={colour} />
            ))}
            <text
              x={W - pad.r + 8}
              y={pad.t + 10 + si * 14}
              className="legend"
              style={{ fill: colour }}
            >
              {s.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function LearningTable({ points }: { points: LearningPoint[] }) {
  const series = seriesOf(points);
  const pct = (v: number | undefined) => (v === undefined ? '—' : percent(v));
  return (
    <Table label="learning by group" columns={['Group', 'Sessions', ...series.map((s) => s.name)]}>
      {points.map((p) => (
        <tr key={p.key}>
          <th scope="row">{p.key}</th>
          <td className="num">{p.sessions}</td>
          {series.map((s) => (
            <td key={s.name} className="num">
              {pct(s.value(p))}
            </td>
          ))}
        </tr>
      ))}
    </Table>
  );
}
