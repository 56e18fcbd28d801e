/**
 * When an agent's scheduled dream is due: its settings (`hourly`, `daily`, `weekly` or a cron
 * expression, in a time zone, inside an idle window) against a clock. Pure: the caller passes
 * `now`, so tests drive it with any time.
 */

export interface ScheduleSettings {
  enabled: boolean;
  frequency: 'hourly' | 'daily' | 'weekly' | 'cron';
  cron?: string;
  timezone: string;
  window?: { start: string; end: string };
}

/** The cron expression each frequency stands for (weekly: Monday 00:00). */
export function cronOf(s: Pick<ScheduleSettings, 'frequency' | 'cron'>): string {
  switch (s.frequency) {
    case 'hourly':
      return '0 * * * *';
    case 'daily':
      return '0 0 * * *';
    case 'weekly':
      return '0 0 * * 1';
    case 'cron':
      if (!s.cron) throw new Error('frequency "cron" needs a cron expression');
      return s.cron;
  }
}

interface LocalTime {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock fields of an instant in a time zone. */
export function localTime(at: Date, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      minute: 'numeric',
      hour: 'numeric',
      day: 'numeric',
      month: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    minute: Number(parts['minute']),
    hour: Number(parts['hour']),
    day: Number(parts['day']),
    month: Number(parts['month']),
    weekday: WEEKDAYS[parts['weekday']],
  };
}

type FieldSet = Set<number>;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Three-letter names, lower case, for the values from `min` on (months, weekdays). */
  names?: string[];
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  // 7 is Sunday as well as 0.
  {
    name: 'day-of-week',
    min: 0,
    max: 7,
    names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'],
  },
];

/** The most days each month can have (February in a leap year). */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A cron expression that cannot run; the message says which field is wrong and why. */
export class CronError extends Error {}

function parseValue(text: string, spec: FieldSpec, field: string): number {
  const named = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return spec.min + named;
  if (!/^\d+$/.test(text))
    throw new CronError(
      `${spec.name} "${field}" has "${text}", which is not a number${spec.names ? ` or a name (${spec.names.join(', ')})` : ''}`,
    );
  const value = Number(text);
  if (value < spec.min || value > spec.max)
    throw new CronError(`${spec.name} ${value} is out of range ${spec.min}-${spec.max}`);
  return value;
}

/**
 * One field: `*`, a value, a range `a-b`, each optionally with a step `/n`, or a comma list of
 * those. Values are numbers or, for months and weekdays, three-letter names.
 */
function parseField(field: string, spec: FieldSpec): FieldSet {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const match = /^([^/]*)(?:\/(.*))?$/.exec(part);
    const [range, stepText] = match ? [match[1], match[2]] : [part, undefined];
    if (range === '')
      throw new CronError(`${spec.name} "${field}" has an empty item; write *, 5, 1-5 or */15`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1)
        throw new CronError(
          `${spec.name} "${field}" has step "${stepText}"; a step is a whole number from 1`,
        );
      step = Number(stepText);
    }
    let [lo, hi] = [spec.min, spec.max];
    if (range !== '*') {
      const bounds = range.split('-');
      if (bounds.length > 2)
        throw new CronError(`${spec.name} "${field}" has "${range}"; a range is two values, a-b`);
      lo = parseValue(bounds[0], spec, field);
      hi = bounds.length === 2 ? parseValue(bounds[1], spec, field) : stepText ? spec.max : lo;
      // "fri-sun" ends on Sunday, as cron reads it: the name "sun" ending a range is 7 (which
      // CronExpression maps back to 0 once the range is expanded). A numeric 5-0 stays backwards.
      if (
        spec.name === 'day-of-week' &&
        bounds.length === 2 &&
        lo > 0 &&
        bounds[1].toLowerCase() === 'sun'
      )
        hi = 7;
      if (lo > hi)
        throw new CronError(
          `${spec.name} range ${range} runs backwards; write the smaller value first`,
        );
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/**
 * Why `source` is not a five-field cron expression this scheduler can run (the field, the
 * value and the allowed range), or null when it is.
 */
export function cronProblem(source: string): string | null {
  try {
    new CronExpression(source);
    return null;
  } catch (err) {
    if (err instanceof CronError) return err.message;
    throw err;
  }
}

/**
 * Why `zone` is not a time zone the scheduler can use, or null. Zones are the IANA database's
 * names as this runtime's ICU knows them (aliases such as `US/Pacific` included): the same check
 * the scheduler's own clock makes, so a zone accepted here never fails a tick.
 */
export function timeZoneProblem(zone: string): string | null {
  if (zone.trim() !== zone || zone === '')
    return 'must be an IANA time zone such as UTC or Europe/Paris';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return null;
  } catch {
    return `"${zone}" is not an IANA time zone; use one such as UTC, Europe/Paris or America/New_York`;
  }
}

/** A parsed five-field cron expression (day-of-week 0 or 7 is Sunday). Throws a CronError. */
export class CronExpression {
  private readonly fields: [FieldSet, FieldSet, FieldSet, FieldSet, FieldSet];
  private readonly anyDay: boolean;
  private readonly anyWeekday: boolean;

  constructor(readonly source: string) {
    const f = source.trim().split(/\s+/).filter(Boolean);
    if (f.length !== 5)
      throw new CronError(
        `"${source}" is not a five-field cron expression (minute hour day-of-month month day-of-week), such as "0 3 * * *"`,
      );
    const [minutes, hours, days, months, weekdays] = f.map((field, i) =>
      parseField(field, FIELDS[i]),
    );
    if (weekdays.delete(7)) weekdays.add(0);
    this.fields = [minutes, hours, days, months, weekdays];
    this.anyDay = f[2] === '*';
    this.anyWeekday = f[4] === '*';
    // Only the days of the month choose the day: they must occur in some chosen month.
    if (!this.anyDay && this.anyWeekday) {
      const possible = [...months].some((m) => [...days].some((d) => d <= DAYS_IN_MONTH[m - 1]));
      if (!possible)
        throw new CronError(
          `"${source}" never runs: day-of-month "${f[2]}" does not occur in month "${f[3]}"`,
        );
    }
  }

  private dayMatches(t: LocalTime): boolean {
    const [, , days, months, weekdays] = this.fields;
    if (!months.has(t.month)) return false;
    const d = days.has(t.day);
    const w = weekdays.has(t.weekday);
    // Cron's rule: when both day fields are restricted, either may match.
    if (!this.anyDay && !this.anyWeekday) return d || w;
    return d && w;
  }

  /**
   * The latest minute at or before `at` that matches, in `timeZone`; null if none within
   * `maxDays` (a minute-by-minute scan that skips whole hours and days that cannot match).
   */
  previous(at: Date, timeZone: string, maxDays = 366): Date | null {
    const [minutes, hours] = this.fields;
    let t = Math.floor(at.getTime() / 60_000) * 60_000;
    const stop = t - maxDays * 86_400_000;
    while (t >= stop) {
      const local = localTime(new Date(t), timeZone);
      if (!this.dayMatches(local)) {
        t -= (local.hour * 60 + local.minute + 1) * 60_000; // to 23:59 the day before
        continue;
      }
      if (!hours.has(local.hour)) {
        t -= (local.minute + 1) * 60_000; // to :59 of the hour before
        continue;
      }
      if (minutes.has(local.minute)) return new Date(t);
      t -= 60_000;
    }
    return null;
  }

  /**
   * The earliest minute strictly after `after` that matches, in `timeZone`; null if none within
   * `maxDays`. Skips by whole local hours (never by days, so a day that DST shortens or lengthens
   * cannot make it jump past a midnight slot).
   */
  next(after: Date, timeZone: string, maxDays = 366): Date | null {
    const [minutes, hours] = this.fields;
    let t = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
    const stop = t + maxDays * 86_400_000;
    while (t <= stop) {
      const local = localTime(new Date(t), timeZone);
      if (!this.dayMatches(local) || !hours.has(local.hour)) {
        t += (60 - local.minute) * 60_000; // to :00 of the next hour
        continue;
      }
      if (minutes.has(local.minute)) return new Date(t);
      t += 60_000;
    }
    return null;
  }
}

const MIDNIGHT = new CronExpression('0 0 * * *');

/**
 * When the agent's day began (local midnight in its time zone): the day a `tokensPerDay` budget
 * counts from, for the scheduler and for what the API shows as spent today.
 */
export function dayStart(now: Date, timeZone: string): Date {
  return MIDNIGHT.previous(now, timeZone) ?? now;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Whether `now` is inside the idle window (in the time zone); it may wrap midnight. None: always. */
export function inWindow(window: ScheduleSettings['window'], timeZone: string, now: Date): boolean {
  if (!window) return true;
  const t = localTime(now, timeZone);
  const m = t.hour * 60 + t.minute;
  const [start, end] = [minutesOf(window.start), minutesOf(window.end)];
  if (start === end) return true;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/**
 * When the idle window that `now` is in closes, in the time zone: the first minute after `now`
 * outside the window, so a night on which DST skips the window's end time (02:30 on a
 * spring-forward night) closes when the clocks jump past it, not a day later. A scheduled dream
 * must be done by then. Null without a window, or with one that never closes (start = end). When
 * `now` is outside the window, the window's next end.
 */
export function windowCloses(
  window: ScheduleSettings['window'],
  timeZone: string,
  now: Date,
): Date | null {
  if (!window || window.start === window.end) return null;
  if (inWindow(window, timeZone, now)) {
    // A window lasts less than a day; 25 hours also covers a day that DST lengthens.
    const start = Math.floor(now.getTime() / 60_000) * 60_000;
    for (let t = start + 60_000; t <= start + 25 * 3_600_000; t += 60_000)
      if (!inWindow(window, timeZone, new Date(t))) return new Date(t);
  }
  const [h, m] = window.end.split(':').map(Number);
  return new CronExpression(`${m} ${h} * * *`).next(now, timeZone);
}

export type ScheduleDecision =
  | { due: true; slot: Date }
  | { due: false; reason: 'disabled' | 'not_due' | 'outside_window'; slot: Date | null };

/**
 * Due when the latest slot of the schedule (at or before `now`) has no scheduled dream yet
 * (`lastScheduledAt` is before it) and `now` is inside the idle window. A slot whose time fell
 * outside the window waits for the window to open, until the next slot replaces it.
 */
export function scheduleDecision(
  settings: ScheduleSettings,
  lastScheduledAt: Date | null,
  now: Date,
): ScheduleDecision {
  if (!settings.enabled) return { due: false, reason: 'disabled', slot: null };
  const slot = new CronExpression(cronOf(settings)).previous(now, settings.timezone);
  if (!slot || (lastScheduledAt && lastScheduledAt >= slot))
    return { due: false, reason: 'not_due', slot };
  if (!inWindow(settings.window, settings.timezone, now))
    return { due: false, reason: 'outside_window', slot };
  return { due: true, slot };
}

/** What the schedule says at `now`: the scheduler's decision, and the slot after it. */
export type ScheduleOutlook = ScheduleDecision & {
  /** The schedule's first slot after `now` (null when dreaming is disabled). */
  next: Date | null;
};

/**
 * The scheduler's own decision (`scheduleDecision`) plus the next slot of the same cron
 * expression: what an operator sees of an agent's schedule. Pause, budget and "nothing new"
 * are the caller's to add (they need stored state).
 */
export function scheduleOutlook(
  settings: ScheduleSettings,
  lastScheduledAt: Date | null,
  now: Date,
): ScheduleOutlook {
  const decision = scheduleDecision(settings, lastScheduledAt, now);
  if (!settings.enabled) return { ...decision, next: null };
  return { ...decision, next: new CronExpression(cronOf(settings)).next(now, settings.timezone) };
}
