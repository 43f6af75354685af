import cronstrue from 'cronstrue';
import { ValidationError } from '../../exit-codes.js';
import type { LogAlert } from '../types.js';
import { jobExportName, type JobSpec, type PastDuePolicy } from './jobs.js';
import { checkSchedule, formatOffset, longestGapMinutes, nextRuns, normaliseSchedule, toUtcSchedule } from './schedule.js';

/** A job with everything the templates, notices and alerts need, derived once from the options. */
export interface PlannedJob {
  name: string;
  exportName: string;
  /** As the user typed it. */
  schedule: string;
  /** 6-field NCRONTAB in the job's time zone. */
  localSchedule: string;
  /** 6-field NCRONTAB the timer trigger gets. */
  utcSchedule: string;
  timeZone: string;
  needsLocalGuard: boolean;
  driftsWithDaylightSaving: boolean;
  offsets: string[];
  description: string;
  pastDue: PastDuePolicy;
  periodMinutes: number;
  [key: string]: unknown;
}

export function planJobs(options: { jobs: readonly JobSpec[]; timeZone: string; pastDue: PastDuePolicy }, now: Date): PlannedJob[] {
  return options.jobs.map((job) => {
    try {
      const localSchedule = normaliseSchedule(job.schedule);
      checkSchedule(localSchedule);
      const utc = toUtcSchedule(localSchedule, options.timeZone, now);
      return {
        name: job.name,
        exportName: jobExportName(job.name),
        schedule: job.schedule,
        localSchedule,
        utcSchedule: utc.utc,
        timeZone: options.timeZone,
        needsLocalGuard: utc.needsLocalGuard,
        driftsWithDaylightSaving: utc.driftsWithDaylightSaving,
        offsets: utc.offsets.map(formatOffset),
        description: describe(localSchedule),
        pastDue: job.pastDue ?? options.pastDue,
        periodMinutes: longestGapMinutes(localSchedule, options.timeZone, now),
      };
    } catch (error) {
      if (error instanceof ValidationError) throw new ValidationError(`job "${job.name}": ${error.message}`);
      throw error;
    }
  });
}

function describe(expression: string): string {
  return cronstrue.toString(expression, { use24HourTimeFormat: true, verbose: false });
}

/** What is echoed before writing: each schedule in plain English, its next runs, and conversion warnings. */
export function scheduleNotices(jobs: readonly PlannedJob[], timeZone: string, now: Date): string[] {
  const lines: string[] = [];
  for (const job of jobs) {
    lines.push(`Job ${job.name}: ${job.description} (${timeZone}); timer schedule (UTC) "${job.utcSchedule}"; if late: ${job.pastDue}`);
    const runs = nextRuns(job.localSchedule, timeZone, now, 3).map((run) => formatRun(run, timeZone));
    lines.push(`  next runs: ${runs.join(', ')}`);
    if (job.driftsWithDaylightSaving) {
      lines.push(
        `  ⚠ ${timeZone} observes daylight saving time (${job.offsets.join(' / ')}). Flex Consumption runs timers in UTC and does not support WEBSITE_TIME_ZONE, ` +
          `so one fixed UTC schedule would run an hour off for part of the year. The trigger fires at every UTC time the local schedule can map to, and a ` +
          `local-time guard in the code runs the job only when it is due in ${timeZone}.`,
      );
    } else if (job.needsLocalGuard) {
      lines.push(`  ⚠ no single UTC schedule matches this ${timeZone} schedule exactly; a local-time guard in the code runs the job only when it is due in ${timeZone}.`);
    }
  }
  return lines;
}

function formatRun(run: Date, timeZone: string): string {
  // "2026-01-15 02:30:00"; UTC comes from the ISO form, which spares loading time-zone data for the default zone.
  const utc = run.toISOString().slice(0, 19).replace('T', ' ');
  if (timeZone === 'UTC') return `${utc} UTC`;
  const local = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(run)
    .replace(',', '');
  return `${local} ${timeZone} (${utc.slice(11)} UTC)`;
}

// Log alerts evaluate at most two days of data, in these window sizes (minutes).
const ALERT_WINDOWS = [5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880];
/** A run is "missed" when no run succeeded within this many schedule periods. */
export const MISSED_RUN_PERIODS = 3;
export const SUCCESS_RATE_PERCENT = 90;
export const MAX_DURATION_MINUTES = 10;

const RUN_EVENTS = 'AppEvents\n| where Name == "ScheduledJobRun"';
/**
 * A run (one occurrence of a job, shared by its retries) counted once: an occurrence may leave several final
 * events, e.g. a failure and then the success of a manual rerun.
 */
const BY_RUN = 'by Job = tostring(Properties.job), ScheduledTime = tostring(Properties.scheduledTime)';

/** Failure, success-rate and duration alerts over every job, and a missed-run alert per job. */
export function jobAlerts(jobs: readonly PlannedJob[]): { alerts: LogAlert[]; notices: string[] } {
  const alerts: LogAlert[] = [
    {
      id: 'job-failed-runs',
      description:
        'A scheduled job run failed for good: its last retry failed, or it was closed as failed without one (failed attempts the host still retries do not count; success-rate.kql shows them).',
      severity: 1,
      // The app marks a failure final (Properties.final) when RETRY_POLICY has no retry left for it, so the count lives in one place.
      query: `${RUN_EVENTS} and tostring(Properties.outcome) == "failed" and tostring(Properties.final) == "true"\n| summarize ${BY_RUN}\n| summarize FailedRuns = count()`,
      metricColumn: 'FailedRuns',
      operator: 'GreaterThan',
      threshold: 0,
      // Twice the frequency: a run's event ingested after the evaluation covering its end time is seen by the next.
      windowMinutes: 30,
      frequencyMinutes: 15,
    },
    {
      id: 'job-success-rate',
      description: `The success rate of a scheduled job fell below ${SUCCESS_RATE_PERCENT}% over the last 24 hours, each run counted by its final outcome (a failure its retry fixed counts as a success; a run still being retried is not counted yet).`,
      severity: 2,
      query:
        `${RUN_EVENTS} and tostring(Properties.outcome) in ("succeeded", "failed") and tostring(Properties.final) == "true"\n` +
        `| summarize RunSucceeded = countif(tostring(Properties.outcome) == "succeeded") > 0 ${BY_RUN}\n` +
        '| summarize Runs = count(), Succeeded = countif(RunSucceeded) by Job\n' +
        // No finished run in the window: no row (min() of no job is null), so the rule has nothing to judge.
        '| summarize LowestSuccessRatePercent = min(100.0 * Succeeded / Runs)\n| where isnotnull(LowestSuccessRatePercent)',
      metricColumn: 'LowestSuccessRatePercent',
      operator: 'LessThan',
      threshold: SUCCESS_RATE_PERCENT,
      windowMinutes: 1440,
      frequencyMinutes: 60,
    },
    {
      id: 'job-duration',
      description: `A scheduled job run took longer than ${MAX_DURATION_MINUTES} minutes.`,
      severity: 2,
      query: `${RUN_EVENTS}\n| summarize LongestRunMs = max(todouble(Measurements.durationMs))\n| extend LongestRunMinutes = LongestRunMs / 60000.0\n| where isnotnull(LongestRunMinutes)`,
      metricColumn: 'LongestRunMinutes',
      operator: 'GreaterThan',
      threshold: MAX_DURATION_MINUTES,
      windowMinutes: 60,
      frequencyMinutes: 15,
    },
  ];
  const notices: string[] = [];
  for (const job of jobs) {
    const window = missedRunWindow(job.periodMinutes);
    if (window === undefined) {
      notices.push(
        `  ⚠ job ${job.name} can go more than a day between runs; log alerts look back at most 48 hours, so it gets no missed-run alert (use the "missed runs" query in monitoring/scheduled-tasks).`,
      );
      continue;
    }
    alerts.push({
      id: `job-${job.name}-missed-run`,
      description: `Job ${job.name} has had no successful run in ${window} minutes (its schedule runs at least every ${Math.ceil(job.periodMinutes)} minutes).`,
      severity: 1,
      query: `${RUN_EVENTS} and tostring(Properties.job) == "${job.name}" and tostring(Properties.outcome) == "succeeded"\n| summarize SuccessfulRuns = count()`,
      metricColumn: 'SuccessfulRuns',
      operator: 'LessThan',
      threshold: 1,
      windowMinutes: window,
      frequencyMinutes: window <= 60 ? 5 : window <= 360 ? 15 : 60,
    });
  }
  return { alerts, notices };
}

/**
 * N × the period, rounded up to a window Azure accepts; a daily job gets the 48-hour maximum (about two
 * periods), and a job with a longer period cannot be watched by a log alert at all.
 */
export function missedRunWindow(periodMinutes: number): number | undefined {
  const wanted = MISSED_RUN_PERIODS * periodMinutes;
  const window = ALERT_WINDOWS.find((size) => size >= wanted);
  if (window !== undefined) return window;
  // A daily job's longest gap is 25 hours across a DST change, or 47 when its time does not exist on the day
  // clocks go forward: 48 hours still always spans one of its runs.
  const longest = ALERT_WINDOWS.at(-1)!;
  return periodMinutes < longest ? longest : undefined;
}
