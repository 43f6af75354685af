import { describe, expect, it } from 'vitest';
import { isDueInTimeZone, nextOccurrences, occurrenceToRun } from '../../src/scheduling/schedule.js';

// 09:00 in New York is 14:00 UTC in winter (UTC-5) and 13:00 UTC in summer (UTC-4); clocks moved on 8 March 2026.
const NEW_YORK_NINE = { schedule: '0 0 9 * * *', timeZone: 'America/New_York' };
const NEW_YORK_TRIGGER = '0 0 13,14 * * *';

/** An invocation at `now`; `scheduledFor` is the Timer's `scheduleStatus.next` in the form the host sends it. */
function at(now: string, scheduledFor?: string, isPastDue = false) {
  return { now: new Date(now), isPastDue, scheduledFor };
}

describe('occurrenceToRun', () => {
  it('maps an on-time invocation to the occurrence the host fired it for', () => {
    expect(occurrenceToRun('0 */15 * * * *', undefined, at('2026-05-04T10:15:00.180Z', '2026-05-04T10:15:00+00:00'))).toEqual(new Date('2026-05-04T10:15:00Z'));
  });

  it('keeps a retry on its occurrence after the schedule has moved on: a 5-minute job retried 7.5 minutes later', () => {
    // The host hands every retry of an invocation the same Timer; 30 s + 1 + 2 + 4 min of backoff, plus the work.
    expect(occurrenceToRun('0 */5 * * * *', undefined, at('2026-05-04T10:22:40Z', '2026-05-04T10:15:00+00:00'))).toEqual(new Date('2026-05-04T10:15:00Z'));
  });

  it('maps an invocation that fires a few milliseconds early to the occurrence it fired for', () => {
    expect(occurrenceToRun('0 30 2 * * *', undefined, at('2026-05-04T02:29:59.995Z', '2026-05-04T02:30:00+00:00'))).toEqual(new Date('2026-05-04T02:30:00Z'));
    expect(occurrenceToRun('0 30 2 * * *', undefined, at('2026-05-04T02:29:59.995Z'))).toEqual(new Date('2026-05-04T02:30:00Z'));
  });

  // The host allows for firings up to a second early (clock skew over a long wait); the previous occurrence, which
  // already succeeded, would make the run do nothing.
  it('maps an invocation that fires most of a second early to the occurrence its schedule status names', () => {
    expect(occurrenceToRun('0 30 2 * * *', undefined, at('2026-05-04T02:29:59.150Z', '2026-05-04T02:30:00+00:00'))).toEqual(new Date('2026-05-04T02:30:00Z'));
  });

  it('maps each invocation of an every-second job to its own second (the host keeps no schedule status below a minute)', () => {
    expect(occurrenceToRun('* * * * * *', undefined, at('2026-05-04T10:15:00.050Z'))).toEqual(new Date('2026-05-04T10:15:00Z'));
    expect(occurrenceToRun('* * * * * *', undefined, at('2026-05-04T10:15:00.995Z'))).toEqual(new Date('2026-05-04T10:15:01Z'));
  });

  it('maps a late (past-due) invocation to the first occurrence it missed', () => {
    expect(occurrenceToRun('0 30 2 * * *', undefined, at('2026-05-06T07:12:00Z', '2026-05-04T02:30:00+00:00', true))).toEqual(new Date('2026-05-04T02:30:00Z'));
  });

  it('uses the clock without a schedule status, or with one still ahead (a manual run): the latest occurrence', () => {
    expect(occurrenceToRun('0 30 2 * * *', undefined, at('2026-05-04T07:12:00Z'))).toEqual(new Date('2026-05-04T02:30:00Z'));
    expect(occurrenceToRun('0 30 2 * * *', undefined, at('2026-05-04T07:12:00Z', '2026-05-05T02:30:00+00:00'))).toEqual(new Date('2026-05-04T02:30:00Z'));
  });

  it('lets through only the UTC candidate that is due in local time, on both sides of a DST change', () => {
    expect(occurrenceToRun(NEW_YORK_TRIGGER, NEW_YORK_NINE, at('2026-03-06T14:00:00Z', '2026-03-06T14:00:00Z'))).toEqual(new Date('2026-03-06T14:00:00Z'));
    expect(occurrenceToRun(NEW_YORK_TRIGGER, NEW_YORK_NINE, at('2026-03-06T13:00:00Z', '2026-03-06T13:00:00Z'))).toBeUndefined();
    expect(occurrenceToRun(NEW_YORK_TRIGGER, NEW_YORK_NINE, at('2026-03-09T13:00:00Z', '2026-03-09T13:00:00Z'))).toEqual(new Date('2026-03-09T13:00:00Z'));
    expect(occurrenceToRun(NEW_YORK_TRIGGER, NEW_YORK_NINE, at('2026-03-09T14:00:00Z', '2026-03-09T14:00:00Z'))).toBeUndefined();
  });

  it('finds the first missed local run behind the guard when a late invocation was fired for a candidate that is not due', () => {
    // Summer: 14:00 UTC is 10:00 in New York; the next candidate, 13:00 UTC on 2 July, is the missed 09:00.
    expect(occurrenceToRun(NEW_YORK_TRIGGER, NEW_YORK_NINE, at('2026-07-02T15:00:00Z', '2026-07-01T14:00:00Z', true))).toEqual(new Date('2026-07-02T13:00:00Z'));
    // Nothing due locally was missed when the app came back before it.
    expect(occurrenceToRun(NEW_YORK_TRIGGER, NEW_YORK_NINE, at('2026-07-01T15:00:00Z', '2026-07-01T14:00:00Z', true))).toBeUndefined();
  });
});

describe('UTC trigger plus local-time guard', () => {
  it('runs exactly at 09:00 New York time every day across the March DST change', () => {
    const candidates = nextOccurrences(NEW_YORK_TRIGGER, 'UTC', new Date('2026-03-05T00:00:00Z'), 12);
    const runs = candidates.filter((candidate) => isDueInTimeZone(NEW_YORK_NINE, candidate));
    expect(runs.map((run) => run.toISOString())).toEqual([
      '2026-03-05T14:00:00.000Z',
      '2026-03-06T14:00:00.000Z',
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
      '2026-03-10T13:00:00.000Z',
    ]);
    for (const run of runs) expect(localClock(run, 'America/New_York')).toBe('09:00');
  });

  it('runs a local time that happens twice when clocks fall back only once', () => {
    const berlinTwoThirty = { schedule: '0 30 2 * * *', timeZone: 'Europe/Berlin' };
    // 25 October 2026: 02:30 CEST is 00:30 UTC, and after the clocks go back 02:30 CET is 01:30 UTC.
    expect(isDueInTimeZone(berlinTwoThirty, new Date('2026-10-25T00:30:00Z'))).toBe(true);
    expect(isDueInTimeZone(berlinTwoThirty, new Date('2026-10-25T01:30:00Z'))).toBe(false);
  });

  it('runs the local time just after the hour clocks skip when they go forward', () => {
    // 29 March 2026 in Berlin: 02:00 CET becomes 03:00 CEST at 01:00 UTC, so 03:00 and 03:30 still happen.
    expect(isDueInTimeZone({ schedule: '0 0 3 * * *', timeZone: 'Europe/Berlin' }, new Date('2026-03-29T01:00:00Z'))).toBe(true);
    expect(isDueInTimeZone({ schedule: '0 30 3 * * *', timeZone: 'Europe/Berlin' }, new Date('2026-03-29T01:30:00Z'))).toBe(true);
    // 8 March 2026 in New York: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
    expect(isDueInTimeZone({ schedule: '0 0 3 * * *', timeZone: 'America/New_York' }, new Date('2026-03-08T07:00:00Z'))).toBe(true);
  });

  it('runs a local time the clocks skip at the instant that takes its place, once', () => {
    const berlinTwoThirty = { schedule: '0 30 2 * * *', timeZone: 'Europe/Berlin' };
    expect(isDueInTimeZone(berlinTwoThirty, new Date('2026-03-29T00:30:00Z'))).toBe(false);
    expect(isDueInTimeZone(berlinTwoThirty, new Date('2026-03-29T01:30:00Z'))).toBe(true);
    expect(isDueInTimeZone(berlinTwoThirty, new Date('2026-03-30T00:30:00Z'))).toBe(true);
  });
});

describe('nextOccurrences', () => {
  it('lists the next runs of a schedule in its time zone', () => {
    expect(nextOccurrences('0 0 6 * * 1-5', 'Europe/London', new Date('2026-06-05T12:00:00Z'), 3).map((date) => date.toISOString())).toEqual([
      '2026-06-08T05:00:00.000Z',
      '2026-06-09T05:00:00.000Z',
      '2026-06-10T05:00:00.000Z',
    ]);
  });
});

function localClock(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
}
