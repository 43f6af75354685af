import { CronExpressionParser } from 'cron-parser';

/** A local-time schedule, for jobs whose UTC trigger fires at candidates and runs only when due locally. */
export interface LocalTime {
  schedule: string;
  timeZone: string;
}

/**
 * The occurrence an invocation at `now` stands for: the latest occurrence of the UTC trigger `schedule` at or
 * before `now`, so a late (past-due) invocation or a retry still maps to the occurrence it was scheduled for
 * and (job, occurrence) names one run across retries and instances. Behind a local-time guard, an on-time
 * candidate that is not due locally gives undefined, and a late run looks back for the latest one that was.
 */
export function occurrenceToRun(schedule: string, localTime: LocalTime | undefined, now: Date, isPastDue: boolean): Date | undefined {
  // A timer can fire a few milliseconds early: that invocation still stands for the occurrence it fired for,
  // not for the previous one (which may have succeeded already, so this one would do nothing).
  const trigger = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: new Date(now.getTime() + EARLY_FIRING_MS + 1) });
  const latest = trigger.prev().toDate();
  if (!localTime || isDueInTimeZone(localTime, latest)) return latest;
  if (!isPastDue) return undefined;
  // Candidates come at most a few per local occurrence, so a short look-back always finds the last one.
  for (let i = 0; i < 100; i++) {
    const candidate = trigger.prev().toDate();
    if (isDueInTimeZone(localTime, candidate)) return candidate;
  }
  return undefined;
}

/**
 * Whether `instant` is an occurrence of the local schedule in its time zone. The walk starts a few hours
 * earlier because when clocks fall back a local time happens twice: starting just before the second pass
 * would count it again, while walking forward through the day yields each local run once.
 */
export function isDueInTimeZone(localTime: LocalTime, instant: Date): boolean {
  const expression = CronExpressionParser.parse(localTime.schedule, { tz: localTime.timeZone, currentDate: new Date(instant.getTime() - LOOK_BACK_MS) });
  let next = expression.next().getTime();
  while (next < instant.getTime()) next = expression.next().getTime();
  return next === instant.getTime();
}

// How early a timer may fire and still count as its occurrence; far below the period of any sensible schedule.
const EARLY_FIRING_MS = 1000;

// Longer than any daylight saving shift (at most two hours anywhere).
const LOOK_BACK_MS = 3 * 3600_000;

/** The next `count` occurrences of a schedule after `from`, in `timeZone`. */
export function nextOccurrences(schedule: string, timeZone: string, from: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(schedule, { tz: timeZone, currentDate: from });
  return Array.from({ length: count }, () => expression.next().toDate());
}
