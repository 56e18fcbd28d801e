import {
  cronProblem,
  dayStart,
  CronExpression,
  timeZoneProblem,
  inWindow,
  windowCloses,
  localTime,
  scheduleDecision,
  scheduleOutlook,
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

  it('says which field of a bad expression is wrong, and why', () => {
    expect(cronProblem('99 99 * * *')).toBe('minute 99 is out of range 0-59');
    expect(cronProblem('0 24 * * *')).toBe('hour 24 is out of range 0-23');
    expect(cronProblem('0 3 0 * *')).toBe('day-of-month 0 is out of range 1-31');
    expect(cronProblem('0 3 * 13 *')).toBe('month 13 is out of range 1-12');
    expect(cronProblem('0 3 * * 8')).toBe('day-of-week 8 is out of range 0-7');
    expect(cronProblem('*/0 * * * *')).toMatch(
      /minute "\*\/0" has step "0"; a step is a whole number from 1/,
    );
    expect(cronProblem('*/x * * * *')).toMatch(/has step "x"/);
    expect(cronProblem('a * * * *')).toMatch(/minute "a" has "a", which is not a number/);
    expect(cronProblem('5,,10 * * * *')).toMatch(/minute "5,,10" has an empty item/);
    expect(cronProblem('30-10 * * * *')).toMatch(/minute range 30-10 runs backwards/);
    expect(cronProblem('1-2-3 * * * *')).toMatch(/a range is two values/);
    expect(cronProblem('-5 * * * *')).toMatch(/not a number/);
    expect(cronProblem('0 0 31 2 *')).toMatch(
      /never runs: day-of-month "31" does not occur in month "2"/,
    );
    expect(cronProblem('0 3 * * * *')).toMatch(/is not a five-field cron expression/);
    expect(cronProblem('')).toMatch(/five-field/);
  });

  it('accepts lists, ranges, steps and month and weekday names', () => {
    for (const ok of [
      '0 3 * * *',
      '*/15 0-6,22,23 1-31/2 * *',
      '0 9 * JAN-mar mon-FRI',
      '0 0 29 2 *',
      '0 0 * * 7',
      '30 2 * * 1-5',
    ])
      expect(cronProblem(ok)).toBeNull();
    // Mondays to Fridays at 09:00: Friday 2026-11-20, not the weekend.
    expect(
      new CronExpression('0 9 * * mon-fri').previous(at('2026-11-22T10:00:00Z'), 'UTC'),
    ).toEqual(at('2026-11-20T09:00:00Z'));
  });

  it.each(['fri-sun', 'FRI-SUN', '5-7', '5-sun'])(
    'reads a weekday range ending on Sunday (%s) as Friday to Sunday',
    (range) => {
      const expr = `0 9 * * ${range}`;
      expect(cronProblem(expr)).toBeNull();
      const cron = new CronExpression(expr);
      // Sunday 2026-11-22 and Friday the 20th run; before Friday's, the last run is Sunday the 15th.
      expect(cron.previous(at('2026-11-22T10:00:00Z'), 'UTC')).toEqual(at('2026-11-22T09:00:00Z'));
      expect(cron.previous(at('2026-11-20T10:00:00Z'), 'UTC')).toEqual(at('2026-11-20T09:00:00Z'));
      expect(cron.previous(at('2026-11-20T08:00:00Z'), 'UTC')).toEqual(at('2026-11-15T09:00:00Z'));
    },
  );

  it('still refuses a weekday range that runs backwards, and reads sun-sun as Sunday only', () => {
    expect(cronProblem('0 9 * * 5-0')).toMatch(/day-of-week range 5-0 runs backwards/);
    expect(cronProblem('0 9 * * sat-fri')).toMatch(/runs backwards/);
    expect(
      new CronExpression('0 9 * * sun-sun').previous(at('2026-11-21T10:00:00Z'), 'UTC'),
    ).toEqual(at('2026-11-15T09:00:00Z'));
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

describe('windowCloses', () => {
  it("is the window's next end in the agent time zone, across midnight, or null when it never closes", () => {
    // 01:30 in Paris (winter, UTC+1): the window closes at 05:00 Paris.
    expect(windowCloses(daily.window, 'Europe/Paris', at('2026-11-23T00:30:00Z'))).toEqual(
      at('2026-11-23T04:00:00Z'),
    );
    // Summer time (UTC+2): the same 05:00 is an hour earlier in UTC.
    expect(windowCloses(daily.window, 'Europe/Paris', at('2026-07-01T00:30:00Z'))).toEqual(
      at('2026-07-01T03:00:00Z'),
    );
    expect(
      windowCloses({ start: '22:00', end: '02:00' }, 'UTC', at('2026-11-23T23:30:00Z')),
    ).toEqual(at('2026-11-24T02:00:00Z'));
    expect(windowCloses(undefined, 'UTC', at('2026-11-23T12:00:00Z'))).toBeNull();
    expect(
      windowCloses({ start: '03:00', end: '03:00' }, 'UTC', at('2026-11-23T12:00:00Z')),
    ).toBeNull();
  });

  it('closes when the clocks jump past an end time that DST skips, not a day later', () => {
    // Paris springs forward on 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 never happens.
    const window = { start: '01:00', end: '02:30' };
    expect(windowCloses(window, 'Europe/Paris', at('2026-03-29T00:30:00Z'))).toEqual(
      at('2026-03-29T01:00:00Z'), // 03:00 CEST, the first minute outside the window
    );
    // On an ordinary night the same window closes at 02:30 local.
    expect(windowCloses(window, 'Europe/Paris', at('2026-03-28T00:30:00Z'))).toEqual(
      at('2026-03-28T01:30:00Z'),
    );
    // Falling back (2026-10-25, 03:00 CEST becomes 02:00 CET), 02:30 happens twice: the first ends it.
    expect(windowCloses(window, 'Europe/Paris', at('2026-10-24T23:30:00Z'))).toEqual(
      at('2026-10-25T00:30:00Z'), // 02:30 CEST
    );
  });

  it("outside the window, is the window's next end", () => {
    expect(
      windowCloses({ start: '01:00', end: '05:00' }, 'UTC', at('2026-11-23T12:00:00Z')),
    ).toEqual(at('2026-11-24T05:00:00Z'));
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

describe('timeZoneProblem', () => {
  it('accepts IANA zones and their aliases, and refuses anything else', () => {
    for (const ok of [
      'UTC',
      'Europe/Paris',
      'America/Argentina/Buenos_Aires',
      'US/Pacific',
      'Etc/GMT+5',
    ])
      expect(timeZoneProblem(ok)).toBeNull();
    expect(timeZoneProblem('Mars/Olympus')).toMatch(/"Mars\/Olympus" is not an IANA time zone/);
    for (const bad of ['+05:00', '', ' UTC', 'Europe/Paris\n'])
      expect(timeZoneProblem(bad)).not.toBeNull();
  });
});

describe('CronExpression.next, dayStart and scheduleOutlook', () => {
  it('finds the first slot strictly after a time, in the time zone', () => {
    expect(
      new CronExpression('0 0 * * *').next(at('2026-11-23T01:17:00Z'), 'Europe/Paris'),
    ).toEqual(at('2026-11-23T23:00:00Z'));
    expect(new CronExpression('*/15 * * * *').next(at('2026-11-23T01:15:00Z'), 'UTC')).toEqual(
      at('2026-11-23T01:30:00Z'),
    );
    expect(
      new CronExpression('30 3 * * 1').next(at('2026-11-25T12:00:00Z'), 'America/New_York'),
    ).toEqual(at('2026-11-30T08:30:00Z'));
    expect(new CronExpression('0 3 1 * *').next(at('2026-11-22T00:00:00Z'), 'UTC')).toEqual(
      at('2026-12-01T03:00:00Z'),
    );
  });

  it('does not skip a midnight slot on the night the clocks go forward', () => {
    // Paris, 2026-03-29: 02:00 becomes 03:00. From 00:30 local on the 28th, midnight of the 29th.
    expect(
      new CronExpression('0 0 * * *').next(at('2026-03-27T23:30:00Z'), 'Europe/Paris'),
    ).toEqual(at('2026-03-28T23:00:00Z'));
    expect(
      new CronExpression('0 0 * * *').next(at('2026-03-28T23:00:00Z'), 'Europe/Paris'),
    ).toEqual(at('2026-03-29T22:00:00Z'));
  });

  it('day starts at local midnight', () => {
    expect(dayStart(at('2026-11-23T10:00:00Z'), 'UTC')).toEqual(at('2026-11-23T00:00:00Z'));
    expect(dayStart(at('2026-11-22T23:30:00Z'), 'Europe/Paris')).toEqual(
      at('2026-11-22T23:00:00Z'),
    );
  });

  it('adds the next slot to the scheduler’s decision; none when disabled', () => {
    expect(scheduleOutlook(daily, at('2026-11-23T00:10:00Z'), at('2026-11-23T02:00:00Z'))).toEqual({
      due: false,
      reason: 'not_due',
      slot: at('2026-11-22T23:00:00Z'),
      next: at('2026-11-23T23:00:00Z'),
    });
    expect(scheduleOutlook({ ...daily, enabled: false }, null, at('2026-11-23T02:00:00Z'))).toEqual(
      {
        due: false,
        reason: 'disabled',
        slot: null,
        next: null,
      },
    );
  });
});
