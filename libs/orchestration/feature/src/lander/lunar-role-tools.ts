import {
  BOULDER_CLEARANCE,
  COMMANDER,
  DETECTOR,
  LUNAR_GRAVITY,
  MAX_GROUND_SLOPE,
  MAX_PITCH,
  MAX_THRUST_N,
  MAX_TOUCHDOWN_HORIZONTAL_SPEED,
  MAX_TOUCHDOWN_TILT,
  MAX_TOUCHDOWN_VERTICAL_SPEED,
  NAVIGATOR,
  PHASES,
  throttleError,
} from '@reverie/lunar-lander';
import type { ToolDefinition } from '@reverie/models';

/**
 * What each role of the model team may do: its tools as Messages-API definitions, the strict
 * check of a tool's input (what is wrong comes back to the model as a tool error naming what is
 * allowed), and the instructions that open its system prompt.
 */

export type LunarRole = typeof DETECTOR | typeof COMMANDER | typeof NAVIGATOR;

const deg = (rad: number) => Math.round((rad * 180) / Math.PI);
const MAX_PITCH_DEG = deg(MAX_PITCH);

/** One tool input field: its JSON schema and the check that says what is allowed. */
interface Field {
  schema: Record<string, unknown>;
  required?: boolean;
  check(v: unknown): string | null;
}
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const text = (what: string): Field => ({
  schema: { type: 'string', maxLength: 500, description: what },
  check: (v) =>
    typeof v === 'string' && v.length <= 500 ? null : 'must be a string of at most 500 characters',
});
const required = (f: Field): Field => ({ ...f, required: true });

const TOOLS: Record<
  LunarRole,
  Record<string, { description: string; fields: Record<string, Field> }>
> = {
  [DETECTOR]: {
    report: {
      description: 'Pass your altitude estimate and site judgement to the Commander.',
      fields: {
        altitude_m: required({
          schema: { type: 'number', minimum: 0, description: 'altitude above the ground below, m' },
          check: (v) => (isNum(v) && v >= 0 ? null : 'must be a number of metres, 0 or more'),
        }),
        site_safe: {
          schema: { type: 'boolean', description: 'whether the chosen site is safe to land on' },
          check: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
        },
        note: text('anything the Commander should know'),
      },
    },
  },
  [COMMANDER]: {
    set_orders: {
      description: 'Give the Navigator its orders: the flight phase and the site to land at.',
      fields: {
        phase: required({
          schema: { type: 'string', enum: [...PHASES] },
          check: (v) =>
            (PHASES as readonly unknown[]).includes(v)
              ? null
              : `must be one of ${PHASES.join(', ')}`,
        }),
        site_x: required({
          schema: { type: 'number', description: 'the landing site, m along the ground track' },
          check: (v) => (isNum(v) ? null : 'must be a number of metres'),
        }),
        reason: required(text('why, in a sentence')),
      },
    },
    abort: {
      description: 'Abort the landing (the craft climbs away; the landing counts as failed).',
      fields: { reason: required(text('why, in a sentence')) },
    },
  },
  [NAVIGATOR]: {
    set_engine: {
      description:
        'Set the engine throttle and the tilt of the thrust axis; both hold until your next decision.',
      fields: {
        throttle: required({
          schema: { type: 'number', description: '0 (off), 0.1 to 0.6, or 1 (full thrust)' },
          check: throttleError,
        }),
        pitch_deg: required({
          schema: { type: 'number', minimum: -MAX_PITCH_DEG, maximum: MAX_PITCH_DEG },
          check: (v) =>
            isNum(v) && Math.abs(v) <= MAX_PITCH_DEG
              ? null
              : `must be a number of degrees within +/-${MAX_PITCH_DEG}`,
        }),
      },
    },
  },
};

export const toolDefinitions = (role: LunarRole): ToolDefinition[] =>
  Object.entries(TOOLS[role]).map(([name, { description, fields }]) => ({
    name,
    description,
    inputSchema: {
      type: 'object',
      properties: Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.schema])),
      required: Object.keys(fields).filter((k) => fields[k].required),
      additionalProperties: false,
    },
  }));

/** The input if it fits the tool's fields; otherwise throws what is allowed (the model sees it). */
export function checkInput(role: LunarRole, tool: string, input: unknown): Record<string, unknown> {
  const { fields } = TOOLS[role][tool];
  const names = Object.keys(fields).join(', ');
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new Error(`the input must be an object with ${names}`);
  const obj = input as Record<string, unknown>;
  for (const key of Object.keys(obj))
    if (!(key in fields)) throw new Error(`there is no field "${key}"; the fields are ${names}`);
  for (const [key, field] of Object.entries(fields)) {
    if (obj[key] === undefined) {
      if (field.required) throw new Error(`${key} is required`);
      continue;
    }
    const problem = field.check(obj[key]);
    if (problem) throw new Error(`${key} ${problem}; got ${JSON.stringify(obj[key])}`);
  }
  return obj;
}

// The gear's limits, from the simulator's constants, so the prompt cannot drift from the physics.
const LIMITS = `Touchdown is safe at under ${MAX_TOUCHDOWN_VERTICAL_SPEED} m/s vertical and ${MAX_TOUCHDOWN_HORIZONTAL_SPEED} m/s horizontal speed, under ${deg(MAX_TOUCHDOWN_TILT)} degrees of tilt, on ground under ${deg(MAX_GROUND_SLOPE)} degrees of slope with no boulder over ${BOULDER_CLEARANCE} m under the footprint.`;
export const instructions = (role: LunarRole, every: number): string =>
  ({
    [DETECTOR]: `You are the Detector of a lunar landing crew (Detector, Commander, Navigator). You get the sensor readings (the radar altimeter reports the nearest terrain return in its beam and is noisy) and what the terrain scanner says about the chosen site and the safe candidate sites near it. Call report once with your altitude estimate above the ground below and, when you have one, whether the chosen site is safe. Your judgement holds for ${every} steps.`,
    [COMMANDER]: `You are the Commander of a lunar landing crew (Detector, Commander, Navigator). You get the Detector's report, the current orders and the fuel. Call set_orders once with the phase (approach high up, braking lower, terminal for the final descent over the site, hover to stop descending while moving over the site) and the site to land at (move to a safe candidate when the site is unsafe), or call abort when a safe landing is out of reach. The Navigator flies your orders for the next ${every} steps. ${LIMITS}`,
    [NAVIGATOR]: `You are the Navigator of a lunar landing crew (Detector, Commander, Navigator). You fly the Commander's orders. Call set_engine once with the throttle (0 off, 0.1 to 0.6, or 1; full thrust is ${MAX_THRUST_N} N) and the pitch in degrees (tilt of the thrust axis from vertical, positive pushes toward +x, within +/-${MAX_PITCH_DEG}). Gravity is ${LUNAR_GRAVITY} m/s^2; hoverThrottle in your input holds the vertical speed as it is. Your setting holds for the next ${every} steps. ${LIMITS}`,
  })[role];
