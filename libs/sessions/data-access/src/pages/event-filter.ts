import { isDeepStrictEqual } from 'node:util';

/**
 * A MongoDB filter applied in memory to stored events (`{ seq, body, sessionId }`): how
 * `SessionReader.eventsOf` narrows a session's pages by an environment's `eventFilter` (e.g.
 * `{ 'body.type': { $in: ['action'] } }`). MongoDB's query semantics for the operators below,
 * arrays included (a path through an array matches if any element does); any other operator is
 * refused with its name rather than silently matching everything.
 */
export type Filter = Record<string, unknown>;

const COMPARISONS = new Set([
  '$eq',
  '$ne',
  '$in',
  '$nin',
  '$exists',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$regex',
  '$options',
  '$not',
]);

export class UnsupportedFilterError extends Error {
  constructor(operator: string) {
    super(
      `event filter operator ${operator} is not supported in memory; use one of ` +
        `${[...COMPARISONS, '$and', '$or', '$nor'].join(', ')}`,
    );
  }
}

/** Checks `filter` once, up front, so a bad filter fails before any read. */
export function checkFilter(filter: Filter): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      (value as Filter[]).forEach(checkFilter);
    } else if (key.startsWith('$')) {
      throw new UnsupportedFilterError(key);
    } else if (isOperatorObject(value)) {
      for (const op of Object.keys(value))
        if (!COMPARISONS.has(op)) throw new UnsupportedFilterError(op);
    }
  }
}

export function matches(doc: unknown, filter: Filter): boolean {
  return Object.entries(filter).every(([key, cond]) => {
    if (key === '$and') return (cond as Filter[]).every((f) => matches(doc, f));
    if (key === '$or') return (cond as Filter[]).some((f) => matches(doc, f));
    if (key === '$nor') return !(cond as Filter[]).some((f) => matches(doc, f));
    return matchesField(resolve(doc, key.split('.')), cond);
  });
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof Date)
    return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

/** Every value at `path`, descending into arrays as MongoDB does; [] when there is none. */
function resolve(value: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [value];
  if (Array.isArray(value)) {
    const [head, ...rest] = path;
    if (/^\d+$/.test(head)) return resolve(value[Number(head)], rest);
    return value.flatMap((item) => resolve(item, path));
  }
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (!(path[0] in record)) return [];
  return resolve(record[path[0]], path.slice(1));
}

/** The values a comparison sees: each value, and each element of an array value. */
function candidates(values: unknown[]): unknown[] {
  return values.flatMap((v) => (Array.isArray(v) ? [v, ...v] : [v]));
}

function equals(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return isDeepStrictEqual(a, b);
}

function eq(values: unknown[], target: unknown): boolean {
  // A missing field equals null, as in MongoDB.
  if (target === null && values.length === 0) return true;
  return candidates(values).some((v) => equals(v, target));
}

function compare(values: unknown[], target: unknown, ok: (c: number) => boolean): boolean {
  return candidates(values).some((v) => {
    if (typeof v === 'number' && typeof target === 'number') return ok(v - target);
    if (typeof v === 'string' && typeof target === 'string')
      return ok(v < target ? -1 : v > target ? 1 : 0);
    if (v instanceof Date && target instanceof Date) return ok(v.getTime() - target.getTime());
    return false;
  });
}

function regex(values: unknown[], pattern: unknown, options: unknown): boolean {
  const re =
    pattern instanceof RegExp
      ? pattern
      : new RegExp(String(pattern), typeof options === 'string' ? options : '');
  return candidates(values).some((v) => typeof v === 'string' && re.test(v));
}

function matchesField(values: unknown[], cond: unknown): boolean {
  if (cond instanceof RegExp) return regex(values, cond, undefined);
  if (!isOperatorObject(cond)) return eq(values, cond);
  return Object.entries(cond).every(([op, arg]) => {
    switch (op) {
      case '$eq':
        return eq(values, arg);
      case '$ne':
        return !eq(values, arg);
      case '$in':
        return (arg as unknown[]).some((t) =>
          t instanceof RegExp ? regex(values, t, undefined) : eq(values, t),
        );
      case '$nin':
        return !(arg as unknown[]).some((t) => eq(values, t));
      case '$exists':
        return values.length > 0 === Boolean(arg);
      case '$gt':
        return compare(values, arg, (c) => c > 0);
      case '$gte':
        return compare(values, arg, (c) => c >= 0);
      case '$lt':
        return compare(values, arg, (c) => c < 0);
      case '$lte':
        return compare(values, arg, (c) => c <= 0);
      case '$regex':
        return regex(values, arg, cond.$options);
      case '$options':
        return true;
      case '$not':
        return !matchesField(values, arg);
      default:
        throw new UnsupportedFilterError(op);
    }
  });
}
