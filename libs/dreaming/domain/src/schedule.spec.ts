import {
  CronExpression,
  inWindow,
  localTime,
  scheduleDecision,
  type ScheduleSettings,
} from './schedule';

const at = (iso: string) => new Date(iso);
const daily: ScheduleSettings = {
  enabled: true,
  frequency: 'daily',
  timezone: 'Europe/Paris',
  window: { start: '01:00', end: '05:00' },
};

describe('CronExpression.previous', () => {
  it('finds the latest matching minute in the time zone', () => {
    // 02:17 in Paris (UTC+1 in November) is 01:17 UTC.
    expect(
      new CronExpression('0 0 * * *').previous(at('2026-11-23T01:17:00Z'), 'Europe/Paris'),
    ).toEqual(at('2026-11-22T23:00:00Z'));
    expect(new CronExpression('*/15 * * * *').previous(at('2026-11-23T01:17:40Z'), 'UTC')).toEqual(
      at('2026-11-23T01:15:00Z'),
    );
    // Mondays at 03:30 New York time (UTC-5): Monday 2026-11-23 08:30 UTC.
    expect(
      new CronExpression('30 3 * * 1').previous(at('2026-11-25T12:00:00Z'), 'America/New_York'),
    ).toEqual(at('2026-11-23T08:30:00Z'));
    expect(new CronExpression('0 3 1 * *').previous(at('2026-11-22T00:00:00Z'), 'UTC')).toEqual(
      at('2026-11-01T03:00:00Z'),
    );
  });

  it('reads Sunday as 0 or 7, and ORs restricted day-of-month and day-of-week', () => {
    const sunday = at('2026-11-22T10:00:00Z');
    expect(new CronExpression('0 9 * * 7').previous(sunday, 'UTC')).toEqual(
      at('2026-11-22T09:00:00Z'),
    );
    // the 20th (a Friday) or any Sunday: the Sunday 22nd comes later
    expect(new CronExpression('0 9 20 * 0').previous(sunday, 'UTC')).toEqual(
      at('2026-11-22T09:00:00Z'),
    );
  });

  it('refuses expressions it cannot run', () => {
    expect(() => new CronExpression('0 25 * * *')).toThrow(/0-23/);
    expect(() => new CronExpression('0 * * *')).toThrow(/five-field/);
  });

  it('keeps local hours across a daylight-saving change', () => {
    // Paris moved to summer time on 2026-03-29 at 02:00 local: 03:00 local is 01:00 UTC.
    expect(
      new CronExpression('0 3 * * *').previous(at('2026-03-29T05:00:00Z'), 'Europe/Paris'),
    ).toEqual(at('2026-03-29T01:00:00Z'));
  });
});

describe('inWindow', () => {
  it('holds inside the window in the agent time zone, and wraps midnight', () => {
    expect(inWindow(daily.window, 'Europe/Paris', at('2026-11-23T00:30:00Z'))).toBe(true); // 01:30
    expect(inWindow(daily.window, 'Europe/Paris', at('2026-11-23T04:00:00Z'))).toBe(false); // 05:00
    expect(inWindow({ start: '22:00', end: '02:00' }, 'UTC', at('2026-11-23T23:30:00Z'))).toBe(
      true,
    );
    expect(inWindow({ start: '22:00', end: '02:00' }, 'UTC', at('2026-11-23T01:59:00Z'))).toBe(
      true,
    );
    expect(inWindow({ start: '22:00', end: '02:00' }, 'UTC', at('2026-11-23T12:00:00Z'))).toBe(
      false,
    );
    expect(inWindow(undefined, 'UTC', at('2026-11-23T12:00:00Z'))).toBe(true);
  });
});

describe('scheduleDecision', () => {
  it('a daily dream waits for the window, runs once in it, and is due again the next day', () => {
    expect(scheduleDecision(daily, null, at('2026-11-22T23:30:00Z'))).toMatchObject({
      due: false,
      reason: 'outside_window', // 00:30 in Paris
    });
    const first = scheduleDecision(daily, null, at('2026-11-23T00:10:00Z')); // 01:10
    expect(first).toEqual({ due: true, slot: at('2026-11-22T23:00:00Z') });
    expect(
      scheduleDecision(daily, at('2026-11-23T00:10:00Z'), at('2026-11-23T02:00:00Z')),
    ).toMatchObject({
      due: false,
      reason: 'not_due',
    });
    expect(
      scheduleDecision(daily, at('2026-11-23T00:10:00Z'), at('2026-11-24T00:05:00Z')).due,
    ).toBe(true);
  });

  it('hourly, weekly and cron frequencies; disabled never runs', () => {
    const hourly: ScheduleSettings = { enabled: true, frequency: 'hourly', timezone: 'UTC' };
    expect(
      scheduleDecision(hourly, at('2026-11-23T10:00:30Z'), at('2026-11-23T10:59:00Z')).due,
    ).toBe(false);
    expect(
      scheduleDecision(hourly, at('2026-11-23T10:00:30Z'), at('2026-11-23T11:00:00Z')).due,
    ).toBe(true);
    const weekly: ScheduleSettings = { enabled: true, frequency: 'weekly', timezone: 'UTC' };
    expect(
      scheduleDecision(weekly, at('2026-11-23T00:01:00Z'), at('2026-11-29T23:59:00Z')).due,
    ).toBe(false);
    expect(
      scheduleDecision(weekly, at('2026-11-23T00:01:00Z'), at('2026-11-30T00:00:00Z')).due,
    ).toBe(true);
    const cron: ScheduleSettings = {
      enabled: true,
      frequency: 'cron',
      cron: '0 */6 * * *',
      timezone: 'UTC',
    };
    expect(scheduleDecision(cron, at('2026-11-23T06:00:00Z'), at('2026-11-23T11:59:00Z')).due).toBe(
      false,
    );
    expect(scheduleDecision(cron, at('2026-11-23T06:00:00Z'), at('2026-11-23T12:00:00Z')).due).toBe(
      true,
    );
    expect(
      scheduleDecision({ ...hourly, enabled: false }, null, at('2026-11-23T12:00:00Z')),
    ).toMatchObject({
      due: false,
      reason: 'disabled',
    });
  });

  it('reads local time fields', () => {
    expect(localTime(at('2026-11-22T23:30:00Z'), 'Europe/Paris')).toEqual({
      minute: 30,
      hour: 0,
      day: 23,
      month: 11,
      weekday: 1,
    });
  });
});
