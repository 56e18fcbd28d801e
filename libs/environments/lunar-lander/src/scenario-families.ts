import { z } from 'zod';
import badRadar from '../scenarios/bad-radar.json';
import boulderField from '../scenarios/boulder-field.json';
import crosswind from '../scenarios/crosswind.json';
import downrange from '../scenarios/downrange.json';
import easy from '../scenarios/easy.json';
import hazardSite from '../scenarios/hazard-site.json';
import highGate from '../scenarios/high-gate.json';
import steepApproach from '../scenarios/steep-approach.json';
import tightFuel from '../scenarios/tight-fuel.json';
import { LanderError } from './errors';
import {
  parseScenario,
  scenarioBaseSchema,
  showValue,
  summarizeProblems,
  toProblems,
  type Problem,
} from './scenario.schema';
import type { Scenario } from './types';

/** Family names leave room for `-NNN` so every scenario id stays within 64 characters. */
const FAMILY_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,59}$/;
export const MAX_FAMILY_COUNT = 1_000;

/** Varied fields that hold whole numbers: drawn as integers in [min, max]. */
const INTEGER_FIELDS = new Set(['terrain.ramps.count', 'terrain.craters.count']);

const strictError = (fields: string) => (iss: { code?: string; input?: unknown }) =>
  iss.code === 'unrecognized_keys'
    ? `is not a known field; allowed fields: ${fields}`
    : `must be an object with fields ${fields}, got ${showValue(iss.input)}`;

const got = (what: string) => (iss: { input?: unknown }) =>
  `must be ${what}, got ${showValue(iss.input)}`;
const nameError = got('1 to 60 letters, digits, "_", "." or "-", not starting with "." or "-"');
const countError = got(`a whole number from 1 to ${MAX_FAMILY_COUNT}`);
const seedError = got('an integer');

const rangeSchema = z.tuple([z.number(), z.number()], {
  error: (iss) => `must be [min, max], two finite numbers, got ${showValue(iss.input)}`,
});

/**
 * A family file: `count` scenarios sharing a `base` (a complete scenario minus id, family and
 * seed), each drawing the numeric fields named in `vary` (dotted paths) uniformly from `[min, max]`.
 */
export const familySchema = z
  .strictObject(
    {
      family: z.string({ error: nameError }).regex(FAMILY_NAME, { error: nameError }),
      description: z
        .string({ error: got('a string') })
        .max(2_000, { error: 'must be at most 2,000 characters' }),
      count: z
        .number({ error: countError })
        .int({ error: countError })
        .min(1, { error: countError })
        .max(MAX_FAMILY_COUNT, { error: countError }),
      seed: z.number({ error: seedError }).int({ error: seedError }),
      base: scenarioBaseSchema,
      vary: z.record(z.string(), rangeSchema, {
        error: (iss) =>
          `must map dotted paths of numeric base fields to [min, max], got ${showValue(iss.input)}`,
      }),
    },
    { error: strictError('family, description, count, seed, base, vary') },
  )
  .superRefine((f, ctx) => {
    for (const [path, [min, max]] of Object.entries(f.vary)) {
      const at = ['vary', path];
      if (typeof getPath(f.base, path) !== 'number')
        ctx.addIssue({ code: 'custom', path: at, message: `must name a numeric field of base` });
      else if (min > max)
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `min ${min} must not exceed max ${max}`,
        });
      else if (INTEGER_FIELDS.has(path) && !(Number.isInteger(min) && Number.isInteger(max)))
        ctx.addIssue({
          code: 'custom',
          path: at,
          message: `${path} is a count: min and max must be integers`,
        });
    }
  });

export type ScenarioFamily = z.output<typeof familySchema>;

function getPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setPath(root: Record<string, unknown>, path: string, value: number): void {
  const keys = path.split('.');
  let node = root;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the whole word. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit hash of (family seed, index, label); the same inputs always give the same word. */
export function familyHash(seed: number, index: number, label = ''): number {
  let h = fmix32((seed >>> 0) ^ 0x9e3779b9);
  h = fmix32(h ^ (Math.floor(seed / 2 ** 32) >>> 0));
  h = fmix32(h ^ Math.imul(index + 1, 0x27d4eb2f));
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
  return fmix32(h);
}

/** A varied value: uniform in [min, max], rounded to 3 decimals (integers for counts). */
function draw(seed: number, index: number, path: string, [min, max]: [number, number]): number {
  const u = familyHash(seed, index, path) / 2 ** 32;
  if (INTEGER_FIELDS.has(path)) return Math.min(max, min + Math.floor(u * (max - min + 1)));
  const v = Math.round((min + u * (max - min)) * 1000) / 1000;
  return Math.min(max, Math.max(min, v));
}

/** Scenario `index` of a family, as JSON before validation. */
function rawScenario(family: ScenarioFamily, index: number): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    id: `${family.family}-${String(index).padStart(2, '0')}`,
    family: family.family,
    description: family.base.description ?? family.description,
    seed: familyHash(family.seed, index, '#seed'),
    ...structuredClone(family.base),
  };
  for (const [path, range] of Object.entries(family.vary))
    setPath(raw, path, draw(family.seed, index, path, range));
  return raw;
}

/**
 * Validates a family file and every scenario it produces, or throws `LanderError('invalid_family')`
 * with dotted paths (`base.initial.x`, `vary.initial.altitude`, ...).
 */
export function parseFamily(input: unknown): ScenarioFamily {
  const parsed = familySchema.safeParse(input);
  let problems: Problem[];
  if (parsed.success) {
    const family = parsed.data;
    problems = [];
    for (let i = 0; i < family.count && problems.length === 0; i++) {
      const raw = rawScenario(family, i);
      try {
        parseScenario(raw);
      } catch (e) {
        if (!(e instanceof LanderError)) throw e;
        problems = e.problems.map((p) => ({
          path: `${Object.hasOwn(family.vary, p.path) ? 'vary' : 'base'}.${p.path}`,
          message: `${p.message} (in scenario ${raw.id}, the family's ${ordinal(i + 1)})`,
        }));
      }
    }
    if (problems.length === 0) return family;
  } else problems = toProblems(parsed.error.issues);
  const name = (input as { family?: unknown } | null)?.family;
  const label = typeof name === 'string' ? `family "${name}": ` : '';
  throw new LanderError('invalid_family', label + summarizeProblems(problems, 'family'), problems);
}

/** The bundled families, validated when this module loads. */
export const BUNDLED_FAMILIES: Readonly<Record<string, ScenarioFamily>> = Object.freeze(
  Object.fromEntries(
    [easy, downrange, boulderField, highGate].map((f) => {
      const family = parseFamily(f);
      return [family.family, family];
    }),
  ),
);

/**
 * Harder families for judging whether learning holds on work the day-one families do not show:
 * large lateral speed, propellant for 1.1-1.2x the vertical limit, a biased radar, a hazardous
 * site, a steep high-energy approach. Bundled and resolvable by name like the others, but not
 * in `familyNames()` (the demo's default day), so they stay unseen unless asked for.
 */
export const STRESS_FAMILIES: Readonly<Record<string, ScenarioFamily>> = Object.freeze(
  Object.fromEntries(
    [crosswind, tightFuel, badRadar, hazardSite, steepApproach].map((f) => {
      const family = parseFamily(f);
      return [family.family, family];
    }),
  ),
);

/** Names of the day-one bundled families: easy, downrange, boulder-field, high-gate. */
export function familyNames(): string[] {
  return Object.keys(BUNDLED_FAMILIES);
}

/** Names of the stress families: crosswind, tight-fuel, bad-radar, hazard-site, steep-approach. */
export function stressFamilyNames(): string[] {
  return Object.keys(STRESS_FAMILIES);
}

/** Every family a name can resolve to: the day-one ones, then the stress ones. */
export function allFamilyNames(): string[] {
  return [...familyNames(), ...stressFamilyNames()];
}

/** Whether `name` is a bundled family (day-one or stress). */
export function isBundledFamily(name: string): boolean {
  return Object.hasOwn(BUNDLED_FAMILIES, name) || Object.hasOwn(STRESS_FAMILIES, name);
}

function bundledFamily(name: string): ScenarioFamily {
  if (typeof name === 'string' && Object.hasOwn(BUNDLED_FAMILIES, name))
    return BUNDLED_FAMILIES[name];
  if (typeof name === 'string' && Object.hasOwn(STRESS_FAMILIES, name))
    return STRESS_FAMILIES[name];
  throw new LanderError(
    'unknown_family',
    `unknown scenario family ${typeof name === 'string' ? JSON.stringify(name) : showValue(name)}; bundled families: ${allFamilyNames().join(', ')}`,
  );
}

/**
 * Scenario `index` (0-based) of a family, e.g. `scenarioFor('easy', 3)` is `easy-03`. The same
 * family and index always give the same scenario; its seed and varied fields come from hashes of
 * (family seed, index, field), and the result is validated like any scenario.
 */
export function scenarioFor(family: string | ScenarioFamily, index: number): Scenario {
  const f = typeof family === 'string' ? bundledFamily(family) : family;
  if (!Number.isInteger(index) || index < 0 || index >= f.count)
    throw new LanderError(
      'unknown_scenario',
      `scenario index ${showValue(index)} does not exist in family "${f.family}": use an integer from 0 to ${f.count - 1}`,
    );
  return parseScenario(rawScenario(f, index));
}

/** All `count` scenarios of a family, in index order. */
export function expandFamily(family: string | ScenarioFamily): Scenario[] {
  const f = typeof family === 'string' ? bundledFamily(family) : family;
  return Array.from({ length: f.count }, (_, i) => scenarioFor(f, i));
}

/** What a task names: a bundled family and index, or a scenario written out in full. */
export interface ScenarioTask {
  family?: string;
  index?: number;
  scenario?: unknown;
}

/** The scenario a task names (`{ family, index }` or `{ scenario }`), validated. */
export function resolveScenario(task: ScenarioTask): Scenario {
  const named = task.family !== undefined || task.index !== undefined;
  if (task.scenario !== undefined) {
    if (named)
      throw new LanderError(
        'invalid_scenario',
        'give either a bundled family and index or an inline scenario, not both',
      );
    return parseScenario(task.scenario);
  }
  if (task.family === undefined)
    throw new LanderError(
      'invalid_scenario',
      `no scenario given: name a bundled family (${allFamilyNames().join(', ')}) and an index, or give an inline scenario`,
    );
  const f = bundledFamily(task.family);
  if (task.index === undefined)
    throw new LanderError(
      'unknown_scenario',
      `family "${f.family}" needs an index: an integer from 0 to ${f.count - 1}`,
    );
  return scenarioFor(f, task.index);
}

/** Keys only a family has: an object with any of them is read as a family, not a scenario. */
const FAMILY_ONLY_KEYS = ['count', 'base', 'vary'] as const;

/** An item's scenarios, and the family that drew them when it is one. */
function scenariosOfItem(item: unknown): ScenarioFile {
  const isFamily =
    item !== null && typeof item === 'object' && FAMILY_ONLY_KEYS.some((k) => k in item);
  if (!isFamily) return { scenarios: [parseScenario(item)], families: [] };
  const family = parseFamily(item);
  return { scenarios: expandFamily(family), families: [family] };
}

/** What a scenario file holds: its scenarios, and the families (generators) that drew some. */
export interface ScenarioFile {
  scenarios: Scenario[];
  families: ScenarioFamily[];
}

/**
 * Up to `n` scenarios of `family` that its `count` does not draw: indices `count + skip` to
 * `count + skip + n - 1` (ids `<family>-<index>`), from the same ranges, so no file that expands
 * the family as written holds one. A draw the scenario checks refuse (a combination of the ranges
 * the family's own members never hit) is left out.
 */
export function freshDraws(family: ScenarioFamily, n: number, skip = 0): Scenario[] {
  const wider = { ...family, count: family.count + skip + n };
  const out: Scenario[] = [];
  for (let i = family.count + skip; i < wider.count; i++) {
    try {
      out.push(scenarioFor(wider, i));
    } catch (err) {
      if (!(err instanceof LanderError)) throw err;
    }
  }
  return out;
}

/** ` (id "x")` for a list item that names its id, so an error points at it by name too. */
function itemId(item: unknown): string {
  const id = (item as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? ` (id ${JSON.stringify(id)})` : '';
}

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st. */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * The scenarios a scenario file's JSON holds: one scenario, one family (expanded; any object with
 * `count`, `base` or `vary` is read as a family, so a family missing a field is told what it
 * misses), a list of either, or `{ scenarios: [...] }`. What the CLI's `eval lander` and the
 * offline dream both read. Throws `LanderError`; an item of a list is named (`item 2: ...`).
 */
export function scenariosFromJson(json: unknown): Scenario[] {
  return scenarioInputFromJson(json).scenarios;
}

/** `scenariosFromJson`, with the families the file holds (to draw more of them). */
export function scenarioInputFromJson(json: unknown): ScenarioFile {
  const listed = Array.isArray(json)
    ? json
    : json !== null && typeof json === 'object' && 'scenarios' in json
      ? (json as { scenarios: unknown }).scenarios
      : null;
  if (listed !== null && !Array.isArray(listed))
    throw new LanderError(
      'invalid_scenario',
      `scenarios: must be a list, got ${showValue(listed)}`,
    );
  // Unknown keys are refused at every other level of these formats; a typo here too.
  const extra =
    listed !== null && !Array.isArray(json)
      ? Object.keys(json as object).find((k) => k !== 'scenarios')
      : undefined;
  if (extra !== undefined)
    throw new LanderError(
      'invalid_scenario',
      `${JSON.stringify(extra)}: unknown key beside "scenarios" (a list file is {"scenarios": [...]})`,
    );
  const items = listed
    ? listed.map((item, i) => {
        try {
          return scenariosOfItem(item);
        } catch (err) {
          if (err instanceof LanderError)
            throw new LanderError(
              err.code,
              `item ${i + 1} of the list${itemId(item)}: ${err.message}`,
              err.problems,
            );
          throw err;
        }
      })
    : [scenariosOfItem(json)];
  const scenarios = items.flatMap((x) => x.scenarios);
  if (!scenarios.length)
    throw new LanderError('invalid_scenario', 'holds no scenario: the list is empty');
  // Results, splits and reports are by id: a second scenario of the same id would be flown and
  // counted twice (the same family listed twice, say).
  const seen = new Set<string>();
  for (const { id } of scenarios) {
    if (seen.has(id))
      throw new LanderError(
        'invalid_scenario',
        `scenario id "${id}" appears more than once; give each scenario (and each family) its own`,
      );
    seen.add(id);
  }
  return { scenarios, families: items.flatMap((x) => x.families) };
}
