import { Cron } from 'croner';
import { ValidationError } from '../../exit-codes.js';

// croner computes runs in fixed UTC offsets without a date library, which keeps planning a schedule to a few
// milliseconds.
function cron(expression: string, utcOffset: number): Cron {
  return new Cron(expression, { utcOffset, paused: true });
}

/**
 * Schedules as users write them (6-field NCRONTAB, 5-field cron, or a few plain intervals), normalised to
 * the 6-field NCRONTAB the Functions timer trigger reads, and converted from the job's time zone to UTC:
 * Flex Consumption runs every timer in UTC and has no WEBSITE_TIME_ZONE.
 */

const FIELDS = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const;

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const UNIT_SPAN = { second: 60, minute: 60, hour: 24 } as const;

/** Turns a schedule as typed into a 6-field NCRONTAB expression; throws ValidationError naming the problem. */
export function normaliseSchedule(input: string): string {
  const text = input.trim().replace(/\s+/g, ' ');
  if (text === '') throw new ValidationError('the schedule is empty');
  const interval = intervalToNcrontab(text.toLowerCase());
  if (interval) return interval;
  if (/^(every|hourly|daily|weekly)\b/i.test(text)) {
    throw new ValidationError(
      `"${text}" is not an interval this tool understands: use "every N seconds|minutes|hours", "hourly", "daily", "daily at HH:MM" or "weekly on <day> at HH:MM"`,
    );
  }
  const fields = text.split(' ');
  if (fields.length !== 5 && fields.length !== 6) {
    throw new ValidationError(
      `"${text}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; NCRONTAB takes 6 ({second} {minute} {hour} {day} {month} {day-of-week}) and plain cron 5 (seconds then default to 0)`,
    );
  }
  const six = fields.length === 5 ? ['0', ...fields] : fields;
  six.forEach((field, index) => checkField(field, FIELDS[index]!));
  if (six[3] !== '*' && six[5] !== '*') {
    throw new ValidationError(
      `"${text}" restricts both the day of month and the day of week; cron dialects disagree on whether both or either must match, so restrict only one`,
    );
  }
  six[5] = dayOfWeekWithoutSeven(six[5]!);
  return six.join(' ');
}

/**
 * Cron reads day of week 7 as Sunday, but NCRONTAB takes 0–6 and the Functions host refuses a 7 (`5-7`, or
 * `1/2`, which cron steps up to 7): such a field is written as the days it stands for.
 */
function dayOfWeekWithoutSeven(field: string): string {
  const days = expandField(field, FIELDS[5]);
  return days.includes(7) ? formatField(days.map((day) => day % 7), 0, 6) : field;
}

function intervalToNcrontab(text: string): string | undefined {
  if (text === 'hourly') return '0 0 * * * *';
  if (text === 'daily') return '0 0 0 * * *';
  let match = /^daily at (\d{1,2}):(\d{2})$/.exec(text);
  if (match) return `0 ${clock(match[1]!, match[2]!)} * * *`;
  match = /^weekly on (\w+) at (\d{1,2}):(\d{2})$/.exec(text);
  if (match) {
    const day = DAY_NAMES.findIndex((name) => name === match![1] || name.slice(0, 3) === match![1]);
    if (day < 0) throw new ValidationError(`"${match[1]}" is not a day of the week`);
    return `0 ${clock(match[2]!, match[3]!)} * * ${day}`;
  }
  match = /^every (?:(\d+) )?(millisecond|second|minute|hour)s?$/.exec(text);
  if (!match) return undefined;
  const count = match[1] === undefined ? 1 : Number(match[1]);
  const unit = match[2] as 'millisecond' | keyof typeof UNIT_SPAN;
  if (count === 0) throw new ValidationError(`"${text}" never fires: give a count of at least 1`);
  if (unit === 'millisecond') throw new ValidationError(`"${text}" is more frequent than once a second, the finest a timer trigger can fire`);
  const span = UNIT_SPAN[unit];
  if (count > span || span % count !== 0) {
    throw new ValidationError(
      `"${text}": cron steps restart every ${unit === 'hour' ? 'day' : unit === 'minute' ? 'hour' : 'minute'}, so the count must divide ${span} evenly (${divisors(span).join(', ')})`,
    );
  }
  const step = count === 1 ? '*' : `*/${count}`;
  if (unit === 'second') return `${step} * * * * *`;
  if (unit === 'minute') return `0 ${step} * * * *`;
  return `0 0 ${step} * * *`;
}

function clock(hours: string, minutes: string): string {
  const h = Number(hours);
  const m = Number(minutes);
  if (h > 23 || m > 59) throw new ValidationError(`${hours}:${minutes} is not a time of day (00:00–23:59)`);
  return `${m} ${h}`;
}

function divisors(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);
}

function checkField(field: string, spec: (typeof FIELDS)[number]): void {
  const tokens = field.split(/[,/-]/);
  if (tokens.some((token) => /[?#]/.test(token) || /^(\d*L|LW|\d+W)$/i.test(token))) {
    throw new ValidationError(`the ${spec.name} field "${field}" uses ?, L, W or #, which NCRONTAB does not support`);
  }
  const name = tokens.find((token) => /[a-z]/i.test(token) && !/^[a-z]{3}$/i.test(token));
  if (name) throw new ValidationError(`the ${spec.name} field "${field}": "${name}" is neither a number nor a three-letter name (MON, JAN)`);
  if (!/^[\w*,/-]+$/.test(field)) throw new ValidationError(`the ${spec.name} field "${field}" has characters NCRONTAB does not accept`);
  for (const part of field.split(',')) {
    const [range, step] = part.split('/');
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) {
      throw new ValidationError(`the ${spec.name} field's step "/${step}" must be a whole number of at least 1`);
    }
    for (const value of (range ?? '').split('-')) {
      if (/^\d+$/.test(value) && (Number(value) < spec.min || Number(value) > spec.max)) {
        throw new ValidationError(`${spec.name} ${value} is out of range (${spec.min}–${spec.max})`);
      }
    }
  }
}

/** The values each field of a normalised expression allows, expanded (day of week 7 is read as 0, Sunday). */
export interface ScheduleFields {
  second: number[];
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
}

const NAMES: Partial<Record<(typeof FIELDS)[number]['name'], string[]>> = {
  month: ['', 'jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  'day of week': DAY_NAMES.map((day) => day.slice(0, 3)),
};

/**
 * Expands a normalised expression's fields. croner validates and iterates schedules but keeps its parsed
 * fields private; converting to UTC needs the sets of hours and minutes, and the syntax (already checked by
 * normaliseSchedule) is only lists of values, ranges and steps.
 */
export function scheduleFields(expression: string): ScheduleFields {
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = expression.split(' ').map((field, index) => expandField(field, FIELDS[index]!));
  return { second: second!, minute: minute!, hour: hour!, dayOfMonth: dayOfMonth!, month: month!, dayOfWeek: [...new Set(dayOfWeek!.map((day) => day % 7))].sort((a, b) => a - b) };
}

function expandField(field: string, spec: (typeof FIELDS)[number]): number[] {
  const names = NAMES[spec.name];
  const value = (token: string) => (/^\d+$/.test(token) ? Number(token) : names?.indexOf(token.toLowerCase()) ?? -1);
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const [startText = '', endText] = range.split('-');
    const start = range === '*' ? spec.min : value(startText);
    const end = range === '*' || (stepText !== undefined && endText === undefined) ? spec.max : value(endText ?? startText);
    if (start < spec.min || end > spec.max || start > end) throw new ValidationError(`the ${spec.name} field "${field}" is not a valid range`);
    for (let v = start; v <= end; v += Number(stepText ?? 1)) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Throws ValidationError when a normalised expression is malformed or never fires. */
export function checkSchedule(expression: string): void {
  rejectImpossibleDates(scheduleFields(expression), expression);
  let nextRun: Date | null;
  try {
    nextRun = cron(expression, 0).nextRun();
  } catch (error) {
    throw new ValidationError(`"${expression}" is not a valid schedule: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!nextRun) throw new ValidationError(`"${expression}" never fires`);
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A day of month no chosen month has (30 February, 31 April) never fires. */
function rejectImpossibleDates({ dayOfMonth, month }: ScheduleFields, expression: string): void {
  if (!month.some((m) => dayOfMonth.some((day) => day <= DAYS_IN_MONTH[m]!))) {
    throw new ValidationError(
      `"${expression}" never fires: day ${dayOfMonth.join(',')} never occurs in ${month.map((m) => MONTH_NAMES[m]).join(', ')}`,
    );
  }
}

/**
 * Runs of a local-time schedule after `from`, at most `limit` of them, up to the first one after `until` (so a
 * gap that spans `until` is seen whole). Each UTC offset the zone uses gives one fixed-offset series; a run
 * counts when the zone really is at that offset then, which is what the deployed UTC trigger plus local-time
 * guard does across daylight saving changes.
 */
function runs(expression: string, timeZone: string, from: Date, until: number, limit: number): Date[] {
  const offsets = zoneOffsets(timeZone, from);
  const found: Date[] = [];
  for (const offset of offsets) {
    const series = cron(expression, offset);
    let previous = from;
    for (let steps = 0; steps < limit * offsets.length; steps++) {
      const next = series.nextRun(previous);
      if (!next) break;
      if (offsets.length === 1 || utcOffsetMinutes(timeZone, next) === offset) found.push(next);
      if (next.getTime() > until) break;
      previous = next;
    }
  }
  return found.sort((a, b) => a.getTime() - b.getTime()).slice(0, limit);
}

const DAY_MS = 24 * 3600_000;

/** The next `count` occurrences after `from`. */
export function nextRuns(expression: string, timeZone: string, from: Date, count: number): Date[] {
  // Eight years always include a 29 February.
  return runs(expression, timeZone, from, from.getTime() + 8 * 366 * DAY_MS, count);
}

/**
 * The longest gap between two consecutive runs: the period a missed-run alert waits for. A year of runs holds
 * every month length and both daylight-saving changes, so what is generated from it does not depend on the
 * day of generation; a schedule running more often than every ~4 hours is measured over its first 2000 runs, and
 * over the days it runs on, which show the months or years it skips beyond those runs.
 */
export function longestGapMinutes(expression: string, timeZone: string, from: Date): number {
  const fields = scheduleFields(expression);
  const everyDay = fields.dayOfMonth.length === 31 && fields.month.length === 12 && fields.dayOfWeek.length === 7;
  if (everyDay && zoneOffsets(timeZone, from).length === 1) return longestDailyGapSeconds(fields) / 60;
  const sample = runs(expression, timeZone, from, from.getTime() + 366 * DAY_MS, 2000);
  let longest = longestGapAcrossDaysSeconds(fields, from);
  for (let i = 1; i < sample.length; i++) longest = Math.max(longest, (sample[i]!.getTime() - sample[i - 1]!.getTime()) / 1000);
  return longest / 60;
}

/**
 * The longest gap from a day the schedule runs on to the next such day (its last run of the day to its first), over
 * a year of days and on to the first such day after it, so a gap that spans the year's end is seen whole (and
 * 29 February, every fourth year, has a second); daylight saving time aside, which the walked runs measure.
 */
function longestGapAcrossDaysSeconds({ second, minute, hour, dayOfMonth, month, dayOfWeek }: ScheduleFields, from: Date): number {
  const firstRun = hour[0]! * 3600 + minute[0]! * 60 + second[0]!;
  const lastRun = hour.at(-1)! * 3600 + minute.at(-1)! * 60 + second.at(-1)!;
  let longest = 0;
  let previousRunDay: number | undefined;
  let runDays = 0;
  for (let day = 0; day <= 8 * 366; day++) {
    const date = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + day));
    if (!dayOfMonth.includes(date.getUTCDate()) || !month.includes(date.getUTCMonth() + 1) || !dayOfWeek.includes(date.getUTCDay())) continue;
    if (previousRunDay !== undefined) longest = Math.max(longest, (day - previousRunDay) * 24 * 3600 - lastRun + firstRun);
    previousRunDay = day;
    runDays++;
    if (day > 366 && runDays >= 2) break;
  }
  return longest;
}

/**
 * A schedule that fires at the same times every day, in a zone that keeps one offset, repeats daily: its longest
 * gap lies within a day or across midnight. Read off the fields, that costs far less than walking a year of runs
 * of a schedule that fires every few minutes.
 */
function longestDailyGapSeconds({ second, minute, hour }: ScheduleFields): number {
  const times = hour.flatMap((h) => minute.flatMap((m) => second.map((s) => h * 3600 + m * 60 + s)));
  let longest = times[0]! + 24 * 3600 - times.at(-1)!;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  return longest;
}

/**
 * The zone as the app should name it (`europe/berlin` → `Europe/Berlin`); ValidationError unless it is an IANA zone.
 * ICU still resolves some zones to their old names (`Asia/Kolkata` → `Asia/Calcutta`, `Europe/Kyiv` →
 * `Europe/Kiev`): a name that resolves to another one is kept as written, which every IANA-aware library accepts.
 */
export function checkTimeZone(timeZone: string): string {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw new ValidationError(`"${timeZone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`);
  }
  // The generated app's schedule library (cron-parser 5) loops for ever or returns wrong instants around a
  // clock change that is not a whole number of hours (Australia/Lord_Howe's 30 minutes): refuse it up front.
  const offsets = zoneOffsets(resolved, new Date());
  if (offsets.some((offset) => (offset - offsets[0]!) % 60 !== 0)) {
    throw new ValidationError(
      `"${resolved}" moves its clocks by less than an hour for daylight saving time, which the generated app's schedule library cannot follow; write the schedules in UTC or in a zone whose clocks move by whole hours`,
    );
  }
  return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
}

/** UTC offset of `timeZone` at `instant`, in minutes east of UTC. */
function utcOffsetMinutes(timeZone: string, instant: Date): number {
  // UTC, the default, needs no time-zone data: loading it is most of what asking Intl costs.
  if (timeZone === 'UTC') return 0;
  const name = offsetFormat(timeZone)
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')!.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** Creating a DateTimeFormat costs far more than formatting with one, and zones are asked hundreds of times. */
function offsetFormat(timeZone: string): Intl.DateTimeFormat {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  return format;
}

/** Every offset the zone uses over the next two years (two for zones with daylight saving time). */
function zoneOffsets(timeZone: string, from: Date): number[] {
  const offsets = new Set<number>();
  for (let week = 0; week < 104; week++) offsets.add(utcOffsetMinutes(timeZone, new Date(from.getTime() + week * 7 * 24 * 3600_000)));
  return [...offsets].sort((a, b) => a - b);
}

export interface UtcSchedule {
  /** The NCRONTAB expression the timer trigger gets (UTC). */
  utc: string;
  /** True when the UTC trigger can fire at instants that are not runs of the local schedule. */
  needsLocalGuard: boolean;
  /** True when daylight saving time shifts the local schedule against UTC during the year. */
  driftsWithDaylightSaving: boolean;
  offsets: number[];
}

/**
 * Converts a local-time schedule to the UTC schedule of the trigger. When one UTC expression cannot match the
 * local schedule exactly all year (daylight saving, a day boundary crossed under a day restriction, a
 * half-hour offset), the trigger fires at every UTC time the local schedule can map to and the generated
 * code runs the job only when the local time matches (the guard).
 */
export function toUtcSchedule(local: string, timeZone: string, from: Date): UtcSchedule {
  const offsets = zoneOffsets(timeZone, from);
  const fields = local.split(' ');
  const { minute, hour, dayOfWeek } = scheduleFields(local);
  const [, , , dayOfMonthText, monthText, dayOfWeekText] = fields as [string, string, string, string, string, string];

  const daysRestricted = dayOfMonthText !== '*' || monthText !== '*' || dayOfWeekText !== '*';
  const pairsByOffset = offsets.map((offset) => {
    const pairs = new Set<string>();
    const shifts = new Set<number>();
    for (const h of hour) {
      for (const m of minute) {
        const total = h * 60 + m - offset;
        const shift = Math.floor(total / 1440);
        const time = total - shift * 1440;
        // The day a time falls on matters only when the schedule restricts days.
        pairs.add(`${Math.floor(time / 60)}:${time % 60}:${daysRestricted ? shift : 0}`);
        shifts.add(shift);
      }
    }
    return { pairs, shifts };
  });
  const samePairs = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((pair) => b.has(pair));
  const noDrift = pairsByOffset.every(({ pairs }) => samePairs(pairs, pairsByOffset[0]!.pairs));

  const utcHours = new Set<number>();
  const utcMinutes = new Set<number>();
  const allPairs = new Set<string>();
  for (const { pairs } of pairsByOffset) {
    for (const pair of pairs) {
      const [h, m] = pair.split(':').map(Number) as [number, number];
      utcHours.add(h);
      utcMinutes.add(m);
      allPairs.add(`${h}:${m}`);
    }
  }
  const crossProductExact = utcHours.size * utcMinutes.size === allPairs.size;

  // Crossing midnight moves the day: a weekday restriction shifts with it, a date restriction cannot.
  const shifts = new Set(pairsByOffset.flatMap(({ shifts }) => [...shifts]));
  const crossesDay = [...shifts].some((shift) => shift !== 0);
  let dayFields = `${dayOfMonthText} ${monthText} ${dayOfWeekText}`;
  let daysExact = true;
  if (crossesDay && daysRestricted) {
    if (dayOfMonthText === '*' && monthText === '*' && shifts.size === 1) {
      const shift = [...shifts][0]!;
      const days = new Set(dayOfWeek.map((day) => (((day + shift) % 7) + 7) % 7));
      dayFields = `* * ${formatField([...days], 0, 6)}`;
    } else {
      dayFields = '* * *';
      daysExact = false;
    }
  }

  const utc = `${fields[0]} ${formatField([...utcMinutes], 0, 59)} ${formatField([...utcHours], 0, 23)} ${dayFields}`;
  return {
    utc,
    needsLocalGuard: !(noDrift && crossProductExact && daysExact),
    driftsWithDaylightSaving: offsets.length > 1 && !noDrift,
    offsets,
  };
}

/** A compact cron field for a set of values: `*`, `*\/n`, or ranges and single values. */
export function formatField(values: readonly number[], min: number, max: number): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return '*';
  if (sorted.length > 2 && sorted[0] === min) {
    const step = sorted[1]! - sorted[0]!;
    const isStep = sorted.every((value, index) => value === min + index * step) && sorted.at(-1)! + step > max;
    if (isStep) return `*/${step}`;
  }
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

/** "UTC+01:00" for an offset in minutes. */
export function formatOffset(offset: number): string {
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
