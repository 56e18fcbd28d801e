import type { ComparisonOp } from './criterion.schema';

export type Comparable = number | boolean | string;

/** How an explanation states a comparison that held, and one that did not. */
export const OP_WORDS: Record<ComparisonOp, { held: string; broke: string }> = {
  lt: { held: 'is below', broke: 'is not below' },
  lte: { held: 'is at most', broke: 'is above' },
  gt: { held: 'is above', broke: 'is not above' },
  gte: { held: 'is at least', broke: 'is below' },
  eq: { held: 'is', broke: 'is not' },
  ne: { held: 'is not', broke: 'is' },
};

/**
 * Whether `observed op limit` holds. Ordering ops need two numbers; eq/ne compare by value and
 * type (`1` is not `"1"`). Returns null when the types make the comparison meaningless.
 */
export function compare(observed: unknown, op: ComparisonOp, limit: Comparable): boolean | null {
  switch (op) {
    case 'eq':
      return observed === limit;
    case 'ne':
      return observed !== limit;
  }
  if (typeof observed !== 'number' || typeof limit !== 'number') return null;
  switch (op) {
    case 'lt':
      return observed < limit;
    case 'lte':
      return observed <= limit;
    case 'gt':
      return observed > limit;
    case 'gte':
      return observed >= limit;
  }
}

/** Numbers with at most two decimals (`4.2`, `0.53`), tiny ones with two significant digits. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (n !== 0 && Math.abs(n) < 0.01) return String(Number(n.toPrecision(2)));
  return String(Number(n.toFixed(2)));
}

/** A value for an explanation: numbers formatted and followed by their unit, strings quoted. */
export function formatValue(v: unknown, unit?: string): string {
  if (typeof v === 'number') {
    const n = formatNumber(v);
    if (!unit) return n;
    return unit === '°' || unit === '×' ? `${n}${unit}` : `${n} ${unit}`;
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}...` : v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v !== null && typeof v === 'object') return 'an object';
  return String(v);
}

/** What kind of value it is, for "is a string, not a number". */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
