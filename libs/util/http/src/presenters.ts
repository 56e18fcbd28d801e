/** A time as ISO 8601, or null when there is none. */
export const iso = (d: Date | string | null | undefined): string | null =>
  d ? new Date(d).toISOString() : null;

/** A cursor-paged list: the presented items, whether more follow, and the id to page after. */
export function presentPage<T, P>(
  page: { data: T[]; hasMore: boolean },
  present: (item: T) => P,
  idOf: (item: P) => string,
): { data: P[]; has_more: boolean; last_id: string | null } {
  const data = page.data.map(present);
  const last = data.at(-1);
  return { data, has_more: page.hasMore, last_id: last === undefined ? null : idOf(last) };
}
