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

function parseField(field: string, min: number, max: number): FieldSet {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText ? Number(stepText) : 1;
    let [lo, hi] = [min, max];
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      [lo, hi] = [a, b ?? (stepText ? max : a)];
    }
    if (!(step >= 1) || lo < min || hi > max || lo > hi)
      throw new Error(`cron field "${field}" is out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** A parsed five-field cron expression (day-of-week 0 or 7 is Sunday). */
export class CronExpression {
  private readonly fields: [FieldSet, FieldSet, FieldSet, FieldSet, FieldSet];
  private readonly anyDay: boolean;
  private readonly anyWeekday: boolean;

  constructor(readonly source: string) {
    const f = source.trim().split(/\s+/);
    if (f.length !== 5) throw new Error(`"${source}" is not a five-field cron expression`);
    const weekdays = parseField(f[4], 0, 7);
    if (weekdays.delete(7)) weekdays.add(0);
    this.fields = [
      parseField(f[0], 0, 59),
      parseField(f[1], 0, 23),
      parseField(f[2], 1, 31),
      parseField(f[3], 1, 12),
      weekdays,
    ];
    this.anyDay = f[2] === '*';
    this.anyWeekday = f[4] === '*';
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
