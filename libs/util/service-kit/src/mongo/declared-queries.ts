import type { Schema } from 'mongoose';

/**
 * One query a domain's services make of its collections, as its repository or reader sends it:
 * an example filter (values are placeholders; `$in` and plain values count as equality, other
 * operators as ranges) and its sort. Each domain lists its queries (`queries.ts` in its
 * data-access library); its `queries.spec.ts` checks them with `supportingIndex` and
 * `embeddedIndex` against its schemas, and its `queries.int-spec.ts` against the server.
 */
export interface DeclaredQuery {
  /** Who sends it (the repository method or route). */
  serves: string;
  collection: string;
  filter: Record<string, unknown>;
  sort?: Record<string, 1 | -1>;
  /**
   * Sent once per session or stored batch (the ingest's and the grader's path): on the embedded
   * MongoDB-wire server it must be served too, which uses an index only when the filter's fields
   * are exactly the keys of a unique index (or `_id` alone) and scans the collection otherwise.
   */
  perSession?: true;
}

/** The schemas of a domain's collections (with their declared indexes), by collection name. */
export type DeclaredSchemas = Record<string, Schema>;

export type IndexKeys = Record<string, 1 | -1>;

function isEquality(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Date) return true;
  const ops = Object.keys(value);
  return ops.length === 1 && (ops[0] === '$in' || ops[0] === '$eq');
}

/**
 * Whether `keys` serves `q` with neither a collection scan nor an in-memory sort: `_id` equality
 * (or `$in`) is the primary index; otherwise the index starts with equality fields of the filter
 * (at least one, the tenant's if the filter has one), then, if the query sorts, exactly the sort
 * fields in order (or all reversed). Filter fields outside the index are checked on the fetched
 * documents, which the equality prefix bounds.
 */
export function serves(keys: IndexKeys, q: DeclaredQuery): boolean {
  const names = Object.keys(keys);
  const equality = new Set(
    Object.entries(q.filter)
      .filter(([, v]) => isEquality(v))
      .map(([k]) => k),
  );
  let m = 0;
  while (m < names.length && equality.has(names[m])) m++;
  if (m === 0) return false;
  if ('tenantId' in q.filter && !names.slice(0, m).includes('tenantId')) return false;
  const sort = Object.entries(q.sort ?? {});
  if (sort.length === 0) return true;
  const rest = names.slice(m, m + sort.length);
  if (rest.length < sort.length || rest.some((k, i) => k !== sort[i][0])) return false;
  const same = sort.every(([k, d]) => keys[k] === d);
  const reversed = sort.every(([k, d]) => keys[k] === -d);
  return same || reversed;
}

/** The index of `schemas` that serves `q` (`_id` for lookups by id), or null when none does. */
export function supportingIndexIn(schemas: DeclaredSchemas, q: DeclaredQuery): IndexKeys | null {
  const schema = schemas[q.collection];
  if (!schema) return null;
  const indexes: IndexKeys[] = [{ _id: 1 }, ...schema.indexes().map(([keys]) => keys as IndexKeys)];
  return indexes.find((keys) => serves(keys, q)) ?? null;
}

/**
 * The index the embedded MongoDB-wire server (mongo-java-server) uses for `q`: `_id` when the
 * filter is `_id` alone, else a unique index of `schemas` whose keys are exactly the filter's
 * fields, each an equality; null when it would scan the collection.
 */
export function embeddedIndexIn(schemas: DeclaredSchemas, q: DeclaredQuery): IndexKeys | null {
  const fields = Object.keys(q.filter).sort();
  if (!Object.values(q.filter).every((v) => isEquality(v))) return null;
  if (fields.length === 1 && fields[0] === '_id') return { _id: 1 };
  const schema = schemas[q.collection];
  const unique = (schema?.indexes() ?? []).filter(([, options]) => options?.unique);
  const found = unique.find(([keys]) => Object.keys(keys).sort().join() === fields.join());
  return found ? (found[0] as IndexKeys) : null;
}
