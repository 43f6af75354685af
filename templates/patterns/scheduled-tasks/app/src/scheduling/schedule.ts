import { CronExpressionParser, type CronExpression } from 'cron-parser';

/** A local-time schedule, for jobs whose UTC trigger fires at candidates and runs only when due locally. */
export interface LocalTime {
  schedule: string;
  timeZone: string;
}

/** What the host tells an invocation about its timing. */
export interface TimerInvocation {
  now: Date;
  isPastDue: boolean;
  /** The Timer's `scheduleStatus.next` as the host sent it (ISO), when the schedule monitor is on. */
  scheduledFor: string | undefined;
}

/**
 * The occurrence an invocation stands for, so (job, occurrence) names one run across retries and instances.
 * It is the occurrence the host fired the timer for: `scheduleStatus.next` of the Timer, which the host builds
 * once per invocation and hands unchanged to each of its retries, so a retry minutes later (the backoff spans
 * several) keeps the occurrence even when the schedule has moved on; for a late (past-due) invocation it is the
 * first occurrence missed. A status still ahead (a manual run gets the stored one, naming the next scheduled
 * run) or none (`useMonitor: false`) leaves the clock: the latest occurrence at or before `now`. Behind a
 * local-time guard, a candidate that is not due locally gives undefined, but a late invocation, which covers
 * every candidate missed up to `now`, stands for the first of them that was due locally.
 */
export function occurrenceToRun(schedule: string, localTime: LocalTime | undefined, invocation: TimerInvocation): Date | undefined {
  const { now, isPastDue } = invocation;
  const fired = firedFor(invocation) ?? latestOccurrence(schedule, now);
  if (!localTime || isDueInTimeZone(localTime, fired)) return fired;
  if (!isPastDue) return undefined;
  // Candidates come at most a few per local occurrence, so this walk ends after a few steps or at `now`.
  const trigger = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: fired });
  for (let candidate = trigger.next().toDate(); candidate <= now; candidate = trigger.next().toDate()) {
    if (isDueInTimeZone(localTime, candidate)) return candidate;
  }
  return undefined;
}

function firedFor({ scheduledFor, now }: TimerInvocation): Date | undefined {
  const instant = new Date(scheduledFor ?? Number.NaN);
  // A timer can fire before its occurrence (the host allows for up to a second of clock skew); a status further
  // ahead is not what it fired for (a manual run gets the next scheduled occurrence, hours ahead).
  return instant.getTime() <= now.getTime() + STATUS_EARLY_MS ? instant : undefined;
}

function latestOccurrence(schedule: string, now: Date): Date {
  // A timer can fire a few milliseconds early: that invocation still stands for the occurrence it fired for,
  // not for the previous one (which may have succeeded already, so this one would do nothing).
  return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: new Date(now.getTime() + EARLY_FIRING_MS + 1) }).prev().toDate();
}

/**
 * Whether `instant` is an occurrence of the local schedule in its time zone, read off the local clock (cron-parser
 * walking a zone skips the hour just after clocks go forward: 03:00 in Berlin on the last Sunday of March).
 * When clocks fall back a local time happens twice and runs on its first pass only; when they go forward, a local
 * time they skip runs at the instant that takes its place (02:30 at 03:30).
 */
export function isDueInTimeZone(localTime: LocalTime, instant: Date): boolean {
  const { schedule, timeZone } = localTime;
  const at = instant.getTime();
  const local = localClock(timeZone, at);
  const offset = local - at;
  const shift = offset - (localClock(timeZone, at - LOOK_BACK_MS) - (at - LOOK_BACK_MS));
  if (shift < 0) return occursAt(schedule, local) && localClock(timeZone, at + shift) !== local;
  const skipped = shift > 0 && localClock(timeZone, at - shift) - (at - shift) !== offset;
  return occursAt(schedule, local) || (skipped && occursAt(schedule, local - shift));
}

const localSchedules = new Map<string, CronExpression>();

/**
 * Whether the schedule, read as local wall-clock time, has an occurrence at `local`: its fields matched, not its
 * next run searched for, which for a rare schedule (29 February) means walking years of days at every candidate.
 */
function occursAt(schedule: string, local: number): boolean {
  let expression = localSchedules.get(schedule);
  if (!expression) localSchedules.set(schedule, (expression = CronExpressionParser.parse(schedule, { tz: 'UTC' })));
  return expression.includesDate(new Date(local));
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** The date and time the zone's clocks show at an instant, as milliseconds whose UTC reading is that local time. */
export function localClock(timeZone: string, instant: number): number {
  let format = clockFormats.get(timeZone);
  if (!format) {
    const fields = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' } as const;
    clockFormats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...fields })));
  }
  const part = Object.fromEntries(format.formatToParts(instant).map(({ type, value }) => [type, Number(value)]));
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!, new Date(instant).getUTCMilliseconds());
}

// How early a timer may fire and still count as its occurrence: under half the finest schedule (every second), or
// an on-time invocation of that one would count as the next second's, and the next second's would then do nothing.
const EARLY_FIRING_MS = 250;

// How early a timer may fire for the occurrence its schedule status names. The host measures the wait until the next
// occurrence once, on a timer that can drift from the wall clock over the hours of a long interval, and it corrects
// firings "likely under 1 second due to clock skew" itself; an early firing taken for the previous occurrence would
// find that one done and skip the day's run. The status exists only for schedules a minute or more apart.
const STATUS_EARLY_MS = 1000;

// Longer than any daylight saving shift (at most two hours anywhere).
const LOOK_BACK_MS = 3 * 3600_000;

/** The next `count` occurrences of a schedule after `from`, in `timeZone`. */
export function nextOccurrences(schedule: string, timeZone: string, from: Date, count: number): Date[] {
  const expression = CronExpressionParser.parse(schedule, { tz: timeZone, currentDate: from });
  return Array.from({ length: count }, () => expression.next().toDate());
}
