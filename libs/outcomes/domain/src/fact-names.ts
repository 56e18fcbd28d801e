/** The task types an outcome definition can apply to. `external`: a client-driven session. */
export const OUTCOME_ENVIRONMENTS = ['lunar-lander', 'ci-log-triage', 'external'] as const;
export type OutcomeEnvironment = (typeof OUTCOME_ENVIRONMENTS)[number];

/** What a fact means, and how an explanation names it. */
export interface FactInfo {
  description: string;
  /** Words for the value in an explanation, e.g. `vertical speed`. */
  label: string;
  /** Appended to numbers, e.g. `m/s`. */
  unit?: string;
  /** When the value was taken, e.g. `at touchdown`. */
  when?: string;
}

const fact = (label: string, description: string, unit?: string, when?: string): FactInfo => ({
  label,
  description,
  ...(unit ? { unit } : {}),
  ...(when ? { when } : {}),
});

const TD = 'at touchdown';

/**
 * Every value a `bound` criterion may name, by environment (`generic` ones exist for every
 * session). Validation refuses any other path and lists these; `sessionFacts` computes them.
 */
export const FACT_NAMES = {
  generic: {
    'session.status': fact(
      'session status',
      'How the session ended: completed, failed, canceled (or running).',
    ),
    'session.steps': fact('steps', 'The highest step number any event carries (0 when none).'),
    'session.events': fact('event count', 'How many events the session stored.'),
    'session.errors': fact('error count', 'How many `error` events the session recorded.'),
    'tokens.total': fact(
      'tokens',
      'Every token the session’s model calls read or wrote: input + output + cache reads + cache writes.',
    ),
    'tokens.input': fact('input tokens', 'Uncached input tokens over all model calls.'),
    'tokens.output': fact('output tokens', 'Output tokens over all model calls.'),
  },
  'lunar-lander': {
    'flight.status': fact(
      'flight status',
      'How the flight ended: landed, crashed, aborted, timeout or out_of_bounds.',
    ),
    'flight.seconds': fact('flight time', 'Simulated seconds from start to the end.', 's'),
    'touchdown.safe': fact(
      'safe touchdown',
      'True when the craft touched down with no limit broken (false when it never touched down).',
    ),
    'touchdown.verdict': fact(
      'touchdown verdict',
      'safe, hard, tipped, hazard, crashed or out_of_fuel (absent without a touchdown).',
      undefined,
      TD,
    ),
    'touchdown.vertical_speed': fact('vertical speed', 'Sink rate at contact.', 'm/s', TD),
    'touchdown.horizontal_speed': fact('horizontal speed', 'Drift at contact.', 'm/s', TD),
    'touchdown.tilt_deg': fact('tilt', 'Tilt of the craft from vertical at contact.', '°', TD),
    'touchdown.slope_deg': fact(
      'ground slope',
      'Slope of the ground under the footprint.',
      '°',
      TD,
    ),
    'touchdown.boulder_height': fact(
      'boulder height',
      'Tallest boulder under the footprint (0 when none).',
      'm',
      TD,
    ),
    'touchdown.distance_to_site': fact(
      'distance to the planned site',
      'Horizontal distance from the planned landing site.',
      'm',
      TD,
    ),
    'fuel.used': fact('fuel used', 'Propellant burned over the flight.', 'kg'),
    'fuel.left': fact('fuel left', 'Propellant left at the end.', 'kg'),
    'fuel.limit': fact(
      'fuel limit',
      'Propellant a fuel-optimal vertical burn needs from the initial state (the physical limit).',
      'kg',
    ),
    'fuel.over_limit': fact(
      'fuel used over the limit',
      'fuel.used / fuel.limit: 1 is the physical optimum, 2 burned twice that.',
      '×',
    ),
    'telemetry.max_tilt_deg': fact(
      'highest tilt',
      'Largest |pitch| over all telemetry samples (the step is where it occurred).',
      '°',
    ),
    'telemetry.max_speed': fact(
      'highest speed',
      'Largest speed √(vx²+vz²) over all telemetry samples, the initial state included.',
      'm/s',
    ),
  },
  'ci-log-triage': {
    'answer.ranges': fact('answer ranges', 'How many line ranges the submitted answer has.'),
    'answer.lines': fact(
      'answer lines',
      'How many distinct log lines the submitted answer covers.',
    ),
  },
  external: {},
} as const satisfies Record<'generic' | OutcomeEnvironment, Record<string, FactInfo>>;

type Names<T> = keyof T & string;
/** Any fact name of any environment. */
export type FactName =
  | Names<(typeof FACT_NAMES)['generic']>
  | Names<(typeof FACT_NAMES)['lunar-lander']>
  | Names<(typeof FACT_NAMES)['ci-log-triage']>;

/** The fact names valid for an environment (generic ones included); without one, every name. */
export function knownFactNames(environment?: OutcomeEnvironment): string[] {
  const envs = environment ? [environment] : OUTCOME_ENVIRONMENTS;
  return [...Object.keys(FACT_NAMES.generic), ...envs.flatMap((e) => Object.keys(FACT_NAMES[e]))];
}

/** The description, label and unit of a fact name, whatever its environment. */
export function factInfo(name: string): FactInfo | undefined {
  for (const group of Object.values(FACT_NAMES) as Array<Record<string, FactInfo>>)
    if (Object.hasOwn(group, name)) return group[name];
  return undefined;
}
