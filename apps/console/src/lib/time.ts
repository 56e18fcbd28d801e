/**
 * A `datetime-local` input's value (no zone: `2026-11-22T10:30`) as the instant it names in UTC,
 * the zone every time on the console is shown in. A value with a zone is kept; none is undefined.
 * The API validates the result and says what is wrong with it.
 */
export function utcInstant(local: string): string | undefined {
  if (!local) return undefined;
  if (/(?:[zZ]|[+-]\d\d:\d\d)$/.test(local)) return local;
  return `${/T\d\d:\d\d$/.test(local) ? `${local}:00` : local}Z`;
}
