/** Fields of a playbook entry compared and shown in a diff, in display order. */
export const DIFF_FIELDS = [
  'title',
  'guidance',
  'rationale',
  'status',
  'rule',
  'retiredReason',
] as const;

export interface DiffableEntry {
  id: string;
  [field: string]: unknown;
}

export type RowChange = 'added' | 'removed' | 'changed' | 'same';

export interface DiffRow {
  id: string;
  left: DiffableEntry | null;
  right: DiffableEntry | null;
  change: RowChange;
  /** Fields whose value differs (empty for added, removed and same rows). */
  fields: string[];
}

/** A field as text: strings as they are, anything else as indented JSON. */
export function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/**
 * Two versions' entries aligned by entry id for a side-by-side view: the newer version's order,
 * with entries only the older one has placed where they stood in it.
 */
export function sideBySide(from: DiffableEntry[], to: DiffableEntry[]): DiffRow[] {
  const left = new Map(from.map((e) => [e.id, e]));
  const right = new Map(to.map((e) => [e.id, e]));
  const order: string[] = to.map((e) => e.id);
  from.forEach((e, i) => {
    if (right.has(e.id)) return;
    const before = from
      .slice(0, i)
      .reverse()
      .find((p) => right.has(p.id));
    order.splice(before ? order.indexOf(before.id) + 1 : 0, 0, e.id);
  });
  return order.map((id) => {
    const l = left.get(id) ?? null;
    const r = right.get(id) ?? null;
    if (!l) return { id, left: null, right: r, change: 'added', fields: [] };
    if (!r) return { id, left: l, right: null, change: 'removed', fields: [] };
    const fields = DIFF_FIELDS.filter((f) => fieldText(l[f]) !== fieldText(r[f]));
    return { id, left: l, right: r, change: fields.length ? 'changed' : 'same', fields };
  });
}
