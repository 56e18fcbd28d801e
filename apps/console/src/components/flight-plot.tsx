import { Terrain } from '@reverie/lunar-lander/terrain';
import { useMemo, useState } from 'react';
import {
  extent,
  linearScale,
  pathOf,
  type AttemptFlight,
  type Flight,
  type FlightSample,
} from '../lib/flight';

const W = 640;

interface SeriesDef {
  label: string;
  colour: string;
  value: (s: FlightSample) => number;
}

/** One strip chart over time, with its axis range written out (no hover needed to read it). */
function Strip({
  title,
  samples,
  series,
  height = 110,
}: {
  title: string;
  samples: FlightSample[];
  series: SeriesDef[];
  height?: number;
}) {
  const pad = { l: 48, r: 8, t: 18, b: 16 };
  const t = linearScale(
    extent(
      samples.map((s) => s.t),
      0,
    ),
    [pad.l, W - pad.r],
  );
  const values = samples.flatMap((s) => series.map((d) => d.value(s)));
  const [lo, hi] = extent(values);
  const y = linearScale([lo, hi], [height - pad.b, pad.t]);
  return (
    <svg
      viewBox={`0 0 ${W} ${height}`}
      role="img"
      aria-label={`${title} over time`}
      className="plot"
    >
      <text x={pad.l} y={12} className="plot-title">
        {title}
      </text>
      <line x1={pad.l} x2={W - pad.r} y1={height - pad.b} y2={height - pad.b} className="axis" />
      <line x1={pad.l} x2={pad.l} y1={pad.t} y2={height - pad.b} className="axis" />
      <text x={pad.l - 4} y={pad.t + 4} className="tick" textAnchor="end">
        {hi.toFixed(hi - lo < 5 ? 2 : 0)}
      </text>
      <text x={pad.l - 4} y={height - pad.b} className="tick" textAnchor="end">
        {lo.toFixed(hi - lo < 5 ? 2 : 0)}
      </text>
      {lo < 0 && hi > 0 && <line x1={pad.l} x2={W - pad.r} y1={y(0)} y2={y(0)} className="zero" />}
      {series.map((d) => (
        <path
          key={d.label}
          d={pathOf(samples.map((s) => [t(s.t), y(d.value(s))]))}
          stroke={d.colour}
          className="line"
        />
      ))}
      {series.length > 1 &&
        series.map((d, i) => (
          <text
            key={d.label}
            x={W - pad.r - 4}
            y={12 + i * 12}
            textAnchor="end"
            className="legend"
            style={{ fill: d.colour }}
          >
            {d.label}
          </text>
        ))}
    </svg>
  );
}

/**
 * The throttle commanded; with a lagging engine (its level in the telemetry) also the thrust it
 * gave, so a late response shows as the gap between the two lines.
 */
function throttleSeries(samples: FlightSample[]): SeriesDef[] {
  const commanded: SeriesDef = { label: 'throttle', colour: '#a35200', value: (s) => s.throttle };
  if (!samples.some((s) => s.engineLevel !== undefined)) return [commanded];
  const level: SeriesDef = {
    label: 'engine level',
    colour: '#4d4d4d',
    value: (s) => s.engineLevel ?? s.throttle,
  };
  return [{ ...commanded, label: 'throttle commanded' }, level];
}

/** The descent over the ground: terrain profile, boulders, the planned site, the path and touchdown. */
function Trajectory({
  flight,
  terrain,
  window: span,
  title,
}: {
  flight: Flight;
  terrain: Terrain | null;
  window?: [number, number];
  title: string;
}) {
  const height = 240;
  const pad = { l: 48, r: 8, t: 18, b: 20 };
  const all = flight.samples.map((s) => ({ ...s, z: (terrain?.heightAt(s.x) ?? 0) + s.altitude }));
  const target = flight.scenario?.target?.x;
  const touchdownX = flight.result?.touchdown?.x ?? all.at(-1)?.x;
  const xs =
    span ?? extent([...all.map((s) => s.x), ...(target !== undefined ? [target] : [])], 0.08);
  const inSpan = all.filter((s) => s.x >= xs[0] && s.x <= xs[1]);
  const ground: [number, number][] = [];
  for (let i = 0; i <= 160; i++) {
    const gx = xs[0] + ((xs[1] - xs[0]) * i) / 160;
    ground.push([gx, terrain?.heightAt(gx) ?? 0]);
  }
  const boulders = terrain ? terrain.boulders.filter((b) => b.x >= xs[0] && b.x <= xs[1]) : [];
  const zs = [...ground.map(([, gz]) => gz), ...inSpan.map((s) => s.z)];
  const [zlo, zhi] = span
    ? extent([...ground.map(([, gz]) => gz), ...ground.map(([, gz]) => gz + 20)], 0.05)
    : extent(zs, 0.05);
  const x = linearScale(xs, [pad.l, W - pad.r]);
  const z = linearScale([zlo, zhi], [height - pad.b, pad.t]);
  const clampZ = (v: number) => Math.max(pad.t, Math.min(height - pad.b, z(v)));
  const groundPath = pathOf(ground.map(([gx, gz]) => [x(gx), z(gz)]));
  const path = pathOf(inSpan.map((s) => [x(s.x), clampZ(s.z)]));
  return (
    <svg viewBox={`0 0 ${W} ${height}`} role="img" aria-label={title} className="plot">
      <text x={pad.l} y={12} className="plot-title">
        {title}
      </text>
      <path
        d={`${groundPath}L${x(xs[1])},${height - pad.b}L${x(xs[0])},${height - pad.b}Z`}
        className="ground"
      />
      <path d={groundPath} className="ground-line" />
      {boulders.map((b, i) => {
        const bx = x(b.x);
        const base = terrain?.heightAt(b.x) ?? 0;
        const gz = z(base);
        const top = span ? z(base + b.height) : gz - 5;
        return (
          <path
            key={i}
            d={`M${bx - 3},${gz}L${bx},${Math.min(top, gz - 3)}L${bx + 3},${gz}Z`}
            className="boulder"
          >
            <title>{`boulder ${b.height.toFixed(1)} m at x ${b.x.toFixed(0)} m`}</title>
          </path>
        );
      })}
      {target !== undefined && target >= xs[0] && target <= xs[1] && (
        <g className="site">
          <line
            x1={x(target)}
            x2={x(target)}
            y1={z(terrain?.heightAt(target) ?? 0)}
            y2={z(terrain?.heightAt(target) ?? 0) - 28}
          />
          <path d={`M${x(target)},${z(terrain?.heightAt(target) ?? 0) - 28}l12,5l-12,5Z`} />
          <text x={x(target) + 14} y={z(terrain?.heightAt(target) ?? 0) - 20} className="legend">
            site
          </text>
        </g>
      )}
      <path d={path} className="line trajectory" />
      {touchdownX !== undefined && touchdownX >= xs[0] && touchdownX <= xs[1] && (
        <circle
          cx={x(touchdownX)}
          cy={z(terrain?.heightAt(touchdownX) ?? 0)}
          r={4}
          className={flight.result?.safe ? 'td-safe' : 'td-unsafe'}
        >
          <title>touchdown</title>
        </circle>
      )}
      <text x={pad.l} y={height - 4} className="tick">
        x {xs[0].toFixed(0)} m
      </text>
      <text x={W - pad.r} y={height - 4} className="tick" textAnchor="end">
        x {xs[1].toFixed(0)} m
      </text>
      <text x={pad.l - 4} y={pad.t + 4} className="tick" textAnchor="end">
        {zhi.toFixed(0)} m
      </text>
    </svg>
  );
}

const fmt = (v: number | undefined, unit: string, d = 2) =>
  v === undefined ? '—' : `${v.toFixed(d)} ${unit}`;

export function FlightPlot({ flight }: { flight: Flight }) {
  const terrain = useMemo(() => {
    const s = flight.scenario;
    if (!s?.terrain || typeof s.seed !== 'number') return null;
    try {
      return Terrain.generate(
        s.terrain as unknown as Parameters<typeof Terrain.generate>[0],
        s.seed,
      );
    } catch {
      return null;
    }
  }, [flight.scenario]);
  const samples = flight.samples;
  if (samples.length < 2) return <p>No telemetry recorded yet.</p>;
  const td = flight.result?.touchdown;
  const tdX = td?.x ?? samples[samples.length - 1].x;
  return (
    <div className="flight">
      {flight.scenario?.description && <p className="muted">{flight.scenario.description}</p>}
      <div className="flight-grid">
        <div>
          <Strip
            title="altitude (m)"
            samples={samples}
            series={[{ label: 'altitude', colour: '#1f5fa8', value: (s) => s.altitude }]}
          />
          <Strip
            title="speed (m/s)"
            samples={samples}
            series={[
              { label: 'vertical vz', colour: '#b3261e', value: (s) => s.vz },
              { label: 'horizontal vx', colour: '#1e7a34', value: (s) => s.vx },
            ]}
          />
          <Strip title="throttle (0..1)" samples={samples} series={throttleSeries(samples)} />
          <Strip
            title="pitch (°)"
            samples={samples}
            series={[{ label: 'pitch', colour: '#6b3fa0', value: (s) => s.pitchDeg }]}
          />
        </div>
        <div>
          <Trajectory
            flight={flight}
            terrain={terrain}
            title="trajectory over the terrain (whole descent)"
          />
          <Trajectory
            flight={flight}
            terrain={terrain}
            window={[tdX - 60, tdX + 60]}
            title="the last 120 m around touchdown (boulders to scale)"
          />
          {!terrain && (
            <p className="muted small">The terrain could not be rebuilt from the scenario.</p>
          )}
        </div>
      </div>
      {flight.result && (
        <div className="touchdown" aria-label="Touchdown report">
          <h3>
            Touchdown: {flight.result.status ?? '—'}{' '}
            <span className={`badge ${flight.result.safe ? 'badge-completed' : 'badge-failed'}`}>
              {flight.result.safe ? 'safe' : (td?.verdict ?? 'not safe')}
            </span>
          </h3>
          <dl className="inline">
            <dt>vertical speed</dt>
            <dd>{fmt(td?.verticalSpeed, 'm/s')}</dd>
            <dt>horizontal speed</dt>
            <dd>{fmt(td?.horizontalSpeed, 'm/s')}</dd>
            <dt>tilt</dt>
            <dd>{fmt(td?.tiltDeg, '°', 1)}</dd>
            <dt>slope</dt>
            <dd>{fmt(td?.slopeDeg, '°', 1)}</dd>
            <dt>boulder</dt>
            <dd>{fmt(td?.boulderHeight, 'm')}</dd>
            <dt>distance to site</dt>
            <dd>{fmt(td?.distanceToTarget, 'm', 1)}</dd>
            <dt>fuel used</dt>
            <dd>
              {fmt(flight.result.fuelUsed, 'kg', 0)} (limit {fmt(flight.result.fuelLimit, 'kg', 0)})
            </dd>
            <dt>time</dt>
            <dd>{fmt(flight.result.seconds, 's', 1)}</dd>
          </dl>
          {td?.violations && td.violations.length > 0 && (
            <p>Violations: {td.violations.join(', ')}</p>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * A session's flights, one per attempt (a session the grader sent back flies again from the start):
 * the last attempt's by default, following a new attempt as it starts; with several, a choice of
 * attempt above the plot.
 */
export function FlightAttempts({ flights }: { flights: readonly AttemptFlight[] }) {
  // null: the last attempt, whichever that is as events arrive.
  const [picked, setPicked] = useState<number | null>(null);
  const last = flights.at(-1);
  const shown = flights.find((f) => f.iteration === picked) ?? last;
  if (!last || !shown) return <p>No telemetry recorded yet.</p>;
  const verdict = (f: AttemptFlight) =>
    f.result ? (f.result.safe ? ' · safe' : ` · ${f.result.touchdown?.verdict ?? 'not safe'}`) : '';
  return (
    <>
      {flights.length > 1 && (
        <div className="filters">
          <span className="field">
            <label htmlFor="flight-attempt">Attempt</label>
            <select
              id="flight-attempt"
              value={shown.iteration}
              onChange={(e) => {
                const n = Number(e.target.value);
                setPicked(n === last.iteration ? null : n);
              }}
            >
              {flights.map((f) => (
                <option key={f.iteration} value={f.iteration}>
                  attempt {f.iteration}
                  {f === last ? ' (last)' : ''}
                  {verdict(f)}
                </option>
              ))}
            </select>
          </span>
        </div>
      )}
      <FlightPlot key={shown.iteration} flight={shown} />
    </>
  );
}
