import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_LOCATION } from '../../../src/azure/locations.js';
import { createApp } from '../../../src/commands/create.js';
import { buildPlan } from '../../../src/engine/plan.js';
import { readTree, renderPlan } from '../../../src/engine/render.js';
import { ValidationError } from '../../../src/exit-codes.js';
import type { Logger } from '../../../src/logger.js';
import type { Prompter } from '../../../src/prompts.js';
import { parseJobs } from '../../../src/patterns/scheduled-tasks/jobs.js';
import { missedRunWindow, planJobs } from '../../../src/patterns/scheduled-tasks/plan-jobs.js';
import { formatField, longestGapMinutes, nextRuns, normaliseSchedule, scheduleFields, toUtcSchedule } from '../../../src/patterns/scheduled-tasks/schedule.js';
import { scratchDir } from '../../support/scratch.js';

const NOW = new Date('2026-01-15T12:00:00Z');

function plan(options: Record<string, unknown>) {
  return buildPlan({ name: 'jobs-app', location: DEFAULT_LOCATION, patterns: { 'scheduled-tasks': options } }, join(tmpdir(), 'jobs-app'));
}

describe('schedules', () => {
  it.each([
    ['0 30 2 * * *', '0 30 2 * * *'],
    ['30 2 * * 1-5', '0 30 2 * * 1-5'],
    ['every 15 minutes', '0 */15 * * * *'],
    ['every second', '* * * * * *'],
    ['every 6 hours', '0 0 */6 * * *'],
    ['hourly', '0 0 * * * *'],
    ['daily', '0 0 0 * * *'],
    ['daily at 02:30', '0 30 2 * * *'],
    ['Weekly on Mon at 7:05', '0 5 7 * * 1'],
  ])('reads %s as the NCRONTAB %s', (input, expected) => {
    expect(normaliseSchedule(input)).toBe(expected);
  });

  it.each([
    ['0 0 3 * * 7', '0 0 3 * * 0'],
    ['0 3 * * 5-7', '0 0 3 * * 0,5,6'],
    ['0 0 3 * * 1/2', '0 0 3 * * 0,1,3,5'],
    ['0 0 3 * * MON-FRI', '0 0 3 * * MON-FRI'],
  ])('writes the day of week of %s without 7, which NCRONTAB rejects (it reads 0-6)', (input, expected) => {
    expect(normaliseSchedule(input)).toBe(expected);
    expect(planJobs({ jobs: [{ name: 'sunday', schedule: input, pastDue: null }], timeZone: 'UTC', pastDue: 'run' }, NOW)[0]!.utcSchedule).toBe(expected);
  });

  it('compacts cron fields', () => {
    expect(formatField([0, 1, 2, 3, 4, 5, 6], 0, 6)).toBe('*');
    expect(formatField([0, 15, 30, 45], 0, 59)).toBe('*/15');
    expect(formatField([1, 2, 3, 7, 9], 0, 23)).toBe('1-3,7,9');
  });
});

describe('schedule arithmetic', () => {
  it('expands values, ranges, steps and names, reading day of week 7 as Sunday', () => {
    expect(scheduleFields('*/20 5-7,30 1-9/4 1 JAN,jul MON-FRI')).toEqual({
      second: [0, 20, 40],
      minute: [5, 6, 7, 30],
      hour: [1, 5, 9],
      dayOfMonth: [1],
      month: [1, 7],
      dayOfWeek: [1, 2, 3, 4, 5],
    });
    expect(scheduleFields('0 10/25 * * * 5-7').minute).toEqual([10, 35]);
    expect(scheduleFields('0 0 0 * * 5-7').dayOfWeek).toEqual([0, 5, 6]);
  });

  it('lists the next runs in the zone, across a daylight saving change', () => {
    // Berlin leaves summer time on 25 October 2026 at 03:00 local (01:00 UTC).
    const from = new Date('2026-10-23T12:00:00Z');
    expect(nextRuns('0 30 2 * * *', 'Europe/Berlin', from, 4).map((run) => run.toISOString())).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
    expect(nextRuns('0 0 0 29 2 *', 'UTC', NOW, 2).map((run) => run.toISOString())).toEqual(['2028-02-29T00:00:00.000Z', '2032-02-29T00:00:00.000Z']);
  });

  it('measures the longest gap between runs in real time', () => {
    expect(longestGapMinutes('0 */15 * * * *', 'Europe/Berlin', NOW)).toBe(15);
    expect(longestGapMinutes('0 0 9 * * 1-5', 'UTC', NOW)).toBe(3 * 1440);
    // 02:30 does not exist on the day of the spring change (29 March 2026), so that day has no run. Measured
    // over a year, the gap is the same whichever day the app is generated.
    for (const day of ['2026-03-10', '2026-03-26', '2026-07-01', '2026-11-26']) {
      expect(longestGapMinutes('0 30 2 * * *', 'Europe/Berlin', new Date(`${day}T12:00:00Z`)), day).toBe(2 * 1440 - 60);
    }
    expect(longestGapMinutes('0 0 0 */10 * *', 'UTC', new Date('2026-01-21T12:00:00Z'))).toBe(longestGapMinutes('0 0 0 */10 * *', 'UTC', NOW));
    expect(longestGapMinutes('0 0 0 1 1 *', 'UTC', NOW)).toBe(365 * 1440);
  });

  it('measures a schedule that fires at most once a year from two of its runs, not from the one its first year holds', () => {
    // 29 February comes every fourth year: a year from NOW holds no run at all, and one run has no gap.
    expect(longestGapMinutes('0 0 0 29 2 *', 'UTC', NOW)).toBe((4 * 365 + 1) * 1440);
    expect(longestGapMinutes('0 0 0 29 2 *', 'Asia/Tokyo', new Date('2027-12-01T00:00:00Z'))).toBe((4 * 365 + 1) * 1440);
  });

  it('measures a frequent schedule that runs in some months only across the months it skips, beyond its first 2000 runs', () => {
    // Every 5 minutes in January: 2000 runs last a week, then nothing from 31 January 23:55 to 1 January 00:00.
    expect(longestGapMinutes('0 */5 * * 1 *', 'UTC', NOW)).toBe(335 * 1440 - (23 * 60 + 55));
    expect(longestGapMinutes('0 */5 * * 1 *', 'Europe/Berlin', NOW)).toBe(335 * 1440 - (23 * 60 + 55));
    // Generated in November, the year ahead holds one January: the gap after it ends in the January after that.
    expect(longestGapMinutes('0 */5 * * 1 *', 'Europe/Berlin', new Date('2026-11-27T12:00:00Z'))).toBe(335 * 1440 - (23 * 60 + 55));
  });

  it('measures a schedule that fires every day from its fields, as walking its runs would', () => {
    const walkedGap = (expression: string, timeZone: string) => {
      const runs = nextRuns(expression, timeZone, NOW, 2000).map((run) => run.getTime());
      return Math.max(...runs.slice(1).map((run, i) => run - runs[i]!)) / 60_000;
    };
    const daily: Array<[string, string, number]> = [
      ['0 */15 * * * *', 'UTC', 15],
      ['0 0 9,17 * * *', 'Asia/Tokyo', 16 * 60],
      ['*/7 * * * * *', 'UTC', 7 / 60],
      ['30 5 */5 * * *', 'Asia/Kolkata', 5 * 60],
      ['0 0 0 * * *', 'UTC', 1440],
      ['0 10-20/5 8-9 * * *', 'UTC', 22 * 60 + 50],
    ];
    for (const [expression, timeZone, minutes] of daily) {
      expect(longestGapMinutes(expression, timeZone, NOW), expression).toBe(minutes);
      expect(walkedGap(expression, timeZone), expression).toBe(minutes);
    }
  });
});

describe('conversion to UTC', () => {
  it('keeps a UTC schedule as it is, with no guard', () => {
    expect(toUtcSchedule('0 30 2 * * *', 'UTC', NOW)).toMatchObject({ utc: '0 30 2 * * *', needsLocalGuard: false, driftsWithDaylightSaving: false });
  });

  it('shifts a schedule in a zone without daylight saving time exactly, minutes included', () => {
    expect(toUtcSchedule('0 0 2 * * *', 'Asia/Kolkata', NOW)).toMatchObject({ utc: '0 30 20 * * *', needsLocalGuard: false });
    expect(toUtcSchedule('0 0 9 * * *', 'Asia/Tokyo', NOW)).toMatchObject({ utc: '0 0 0 * * *', needsLocalGuard: false });
  });

  it('fires at both UTC candidates behind a local-time guard when daylight saving time moves the schedule', () => {
    expect(toUtcSchedule('0 30 2 * * *', 'Europe/Berlin', NOW)).toEqual({
      utc: '0 30 0,1 * * *',
      needsLocalGuard: true,
      driftsWithDaylightSaving: true,
      offsets: [60, 120],
    });
  });

  it('moves a weekday restriction across midnight', () => {
    expect(toUtcSchedule('0 0 22 * * 5', 'America/New_York', NOW)).toMatchObject({ utc: '0 0 2,3 * * 6', needsLocalGuard: true });
    expect(toUtcSchedule('0 0 8 * * 1', 'Asia/Tokyo', NOW)).toMatchObject({ utc: '0 0 23 * * 0', needsLocalGuard: false });
  });

  it('widens a date restriction that crosses midnight and lets the guard pick the day', () => {
    expect(toUtcSchedule('0 0 1 1 * *', 'Asia/Tokyo', NOW)).toMatchObject({ utc: '0 0 16 * * *', needsLocalGuard: true, driftsWithDaylightSaving: false });
  });

  it('needs no guard for intervals that every whole-hour offset maps onto themselves', () => {
    expect(toUtcSchedule('0 */15 * * * *', 'Europe/Berlin', NOW)).toMatchObject({ utc: '0 */15 * * * *', needsLocalGuard: false });
  });
});

describe('bad input: clear error naming the problem', () => {
  it.each([
    [{ jobs: 'report=0 0 * *' }, /--job: job "report": "0 0 \* \*" has 4 fields; NCRONTAB takes 6/],
    [{ jobs: 'report=1 2 3 4 5 6 7' }, /has 7 fields/],
    [{ jobs: 'report=0 61 * * * *' }, /job "report": minute 61 is out of range \(0–59\)/],
    [{ jobs: 'report=0 0 24 * * *' }, /hour 24 is out of range \(0–23\)/],
    [{ jobs: 'report=0 0 0 1 13 *' }, /month 13 is out of range/],
    [{ jobs: 'report=every 500 milliseconds' }, /more frequent than once a second/],
    [{ jobs: 'report=every 0 seconds' }, /"every 0 seconds" never fires: give a count of at least 1/],
    [{ jobs: 'report=every 0 minutes' }, /"every 0 minutes" never fires: give a count of at least 1/],
    [{ jobs: 'report=every 7 minutes' }, /must divide 60 evenly/],
    [{ jobs: 'report=0 0 0 30 2 *' }, /job "report": "0 0 0 30 2 \*" never fires/],
    [{ jobs: 'report=0 0 0 31 4,6 *' }, /never fires: day 31 never occurs in April, June/],
    [{ jobs: 'report=0 0 0 31 4 *' }, /never fires: day 31 never occurs in April/],
    [{ jobs: 'report=*/0 * * * * *' }, /the second field's step "\/0" must be a whole number of at least 1/],
    [{ jobs: 'report=0 0 0 L * *' }, /NCRONTAB does not support/],
    [{ jobs: 'report=0 0 0 15W * *' }, /NCRONTAB does not support/],
    [{ jobs: 'report=0 0 3 * * Monday' }, /the day of week field "Monday": "Monday" is neither a number nor a three-letter name \(MON, JAN\)/],
    [{ jobs: 'report=0 0 0 1 * MON' }, /restricts both the day of month and the day of week/],
    [{ jobs: 'a=hourly; a=daily' }, /duplicate job name "a"/],
    [{ jobs: 'Nightly_Report=hourly' }, /job name "Nightly_Report" must be kebab-case/],
    [{ jobs: 'scheduled=hourly' }, /job name "scheduled" is reserved/],
    [{ jobs: 'aux=hourly' }, /job name "aux" is a device name on Windows/],
    [{ jobs: 'com1=hourly' }, /job name "com1" is a device name on Windows/],
    [{ jobs: 'report=hourly|later' }, /past-due policy "later" is not one of run, skip/],
    [{ timeZone: 'Mars/Olympus_Mons' }, /--time-zone: "Mars\/Olympus_Mons" is not an IANA time zone/],
    [{ timeZone: 'Australia/Lord_Howe' }, /--time-zone: "Australia\/Lord_Howe" moves its clocks by less than an hour/],
    [{ pastDue: 'maybe' }, /--past-due: past-due policy "maybe"/],
    [{ pastDue: ' Maybe ' }, /--past-due: past-due policy "Maybe" is not/],
    [{ jobs: 'report=hourly|LATER' }, /past-due policy "LATER" is not/],
  ])('%j', (options, message) => {
    expect(() => plan(options)).toThrow(message);
  });

  it('writes nothing when a schedule is invalid', async () => {
    const cwd = scratchDir('scheduled');
    const logger: Logger = { info: () => undefined, warn: () => undefined, show: () => undefined, task: async (_label, _work, step) => ({ step, status: 'skipped' }) };
    const run = createApp(
      { directory: 'app', pattern: 'scheduled-tasks', patternOptions: { 'scheduled-tasks': { jobs: 'report=0 0 0 30 2 *' } }, yes: true, dryRun: false, git: false, install: false, packageManager: 'npm' },
      { interactive: false, prompter: {} as Prompter, logger, cwd },
    );
    await expect(run).rejects.toBeInstanceOf(ValidationError);
    expect(existsSync(join(cwd, 'app'))).toBe(false);
  });
});

describe('the jobs option', () => {
  it('reads the answers-file form with per-job past-due policies', () => {
    expect(parseJobs([{ name: 'a', schedule: 'hourly', pastDue: 'skip' }, { name: 'b', schedule: '0 0 * * *' }])).toEqual([
      { name: 'a', schedule: 'hourly', pastDue: 'skip' },
      { name: 'b', schedule: '0 0 * * *', pastDue: null },
    ]);
  });

  it('asks for a list when the answers file gives one job as a mapping, instead of reading it as "[object Object]"', () => {
    expect(() => parseJobs({ name: 'a', schedule: 'hourly' })).toThrow(/^give a list of jobs, each \{ "name": …, "schedule": …/);
  });

  it('rejects unknown fields in the answers-file form', () => {
    expect(() => parseJobs([{ name: 'a', schedule: 'hourly', cron: 'x' }])).toThrow('unknown job field cron');
  });

  it('records the time zone in its canonical spelling', () => {
    expect(plan({ timeZone: 'europe/berlin' }).answers.patterns['scheduled-tasks']?.timeZone).toBe('Europe/Berlin');
  });

  // ICU still calls these zones by their old names (Asia/Calcutta, Europe/Kiev, Asia/Saigon): the app keeps the
  // name its author wrote.
  it.each(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh'])('keeps %s as written, not as ICU names it', (timeZone) => {
    expect(plan({ timeZone }).answers.patterns['scheduled-tasks']?.timeZone).toBe(timeZone);
  });

  it('applies the --past-due default to jobs that do not choose', () => {
    const jobs = planJobs({ jobs: parseJobs('a=hourly|skip; b=hourly'), timeZone: 'UTC', pastDue: 'run' }, NOW);
    expect(jobs.map((job) => job.pastDue)).toEqual(['skip', 'run']);
  });
});

describe('missed-run alert windows', () => {
  it('waits three periods, rounded up to a window Azure accepts, at most 48 hours', () => {
    expect(missedRunWindow(15)).toBe(45);
    expect(missedRunWindow(60)).toBe(180);
    expect(missedRunWindow(1440)).toBe(2880);
    expect(missedRunWindow(1500)).toBe(2880);
    // A daily job whose time does not exist on the day clocks go forward: 47 hours between two runs.
    expect(missedRunWindow(2 * 1440 - 60)).toBe(2880);
    expect(missedRunWindow(10080)).toBeUndefined();
  });
});

describe('rendered app', () => {
  const answers = { jobs: 'nightly-report=daily at 02:30|skip; sync=every 15 minutes; weekly-digest=0 0 8 * * MON', timeZone: 'Europe/Berlin' };
  const built = plan(answers);
  const tree = renderPlan(built);

  it('is the same whichever day it is generated, daylight-saving weeks included', () => {
    const renderedOn = (day: string) => {
      vi.useFakeTimers({ now: new Date(`${day}T12:00:00Z`), toFake: ['Date'] });
      try {
        return renderPlan(plan(answers));
      } finally {
        vi.useRealTimers();
      }
    };
    const march = renderedOn('2026-03-10');
    const springChange = renderedOn('2026-03-27');
    expect(springChange.paths).toEqual(march.paths);
    for (const path of march.paths) expect(readTree(springChange, path), path).toBe(readTree(march, path));
  });

  it('has one function per job and the shared runner once', () => {
    expect(tree.paths.filter((path) => path.startsWith('src/functions/'))).toEqual([
      'src/functions/health.ts',
      'src/functions/nightly-report.ts',
      'src/functions/sync.ts',
      'src/functions/weekly-digest.ts',
    ]);
    for (const path of ['src/scheduling/scheduled-job.ts', 'src/scheduling/tracking-store.ts', 'src/scheduling/telemetry.ts', 'src/shared/storage-clients.ts', 'test/functions/scheduled-jobs.test.ts']) {
      expect(tree.paths).toContain(path);
    }
    expect(tree.paths.filter((path) => path.startsWith('monitoring/scheduled-tasks/') && path.endsWith('.kql')).length).toBeGreaterThanOrEqual(4);
  });

  it('gives each job its UTC trigger, its local-time guard when needed and its past-due policy', () => {
    const nightly = readTree(tree, 'src/functions/nightly-report.ts');
    expect(nightly).toContain('export const nightlyReportJob = scheduledJob({');
    expect(nightly).toContain('schedule: "0 30 0,1 * * *"');
    expect(nightly).toContain('localTime: { schedule: "0 30 2 * * *", timeZone: "Europe/Berlin" }');
    expect(nightly).toContain('pastDue: "skip"');
    expect(nightly).toContain('app.timer(nightlyReportJob.name, nightlyReportJob.options);');
    const sync = readTree(tree, 'src/functions/sync.ts');
    expect(sync).toContain('schedule: "0 */15 * * * *"');
    expect(sync).not.toContain('localTime');
    expect(sync).toContain('pastDue: "run"');
  });

  it('keeps runOnStartup off and retries with exponential backoff in the shared runner', () => {
    const runner = readTree(tree, 'src/scheduling/scheduled-job.ts');
    expect(runner).toContain('runOnStartup: false');
    expect(runner).toContain("strategy: 'exponentialBackoff'");
  });

  it('never sets WEBSITE_TIME_ZONE or TZ', () => {
    for (const path of tree.paths) expect(readTree(tree, path), path).not.toMatch(/WEBSITE_TIME_ZONE\s*[:=]|\bTZ\s*[:=]/);
    expect(readTree(tree, 'local.settings.json')).not.toContain('TZ');
  });

  it('creates the tracking tables and wires their names into the app settings', () => {
    expect(readTree(tree, 'infra/modules/scheduled-tasks.bicep')).toContain("name: 'JobRuns'");
    const main = readTree(tree, 'infra/main.bicep');
    expect(main).toContain('SCHEDULED_JOB_RUNS_TABLE: scheduledTasks.outputs.runsTableName');
    expect(JSON.parse(readTree(tree, 'local.settings.json')).Values).toMatchObject({ SCHEDULED_JOB_RUNS_TABLE: 'JobRuns', SCHEDULED_JOB_CHECKPOINTS_TABLE: 'JobCheckpoints' });
  });

  it('alerts on failures, success rate, duration and a missed run per job that runs at least daily', () => {
    const ids = built.contribution.alerts.map((alert) => alert.id);
    expect(ids).toEqual(expect.arrayContaining(['job-failed-runs', 'job-success-rate', 'job-duration', 'job-nightly-report-missed-run', 'job-sync-missed-run']));
    expect(ids).not.toContain('job-weekly-digest-missed-run');
    for (const alert of built.contribution.alerts) expect(Number.isInteger(alert.threshold)).toBe(true);
    const sync = built.contribution.alerts.find((alert) => alert.id === 'job-sync-missed-run')!;
    expect(sync).toMatchObject({ windowMinutes: 45, operator: 'LessThan', threshold: 1 });
    expect(sync.query).toContain('tostring(Properties.job) == "sync"');
  });

  it('gives a job that stops for months or years no missed-run alert, rather than one that fires every five minutes until it runs again', () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    try {
      const ids = plan({ jobs: 'leap-day=0 0 0 29 2 *' }).contribution.alerts.map((alert) => alert.id);
      expect(ids).toContain('job-failed-runs');
      expect(ids).not.toContain('job-leap-day-missed-run');
      expect(plan({ jobs: 'january-sync=0 */5 * * 1 *' }).contribution.alerts.map((alert) => alert.id)).not.toContain('job-january-sync-missed-run');
    } finally {
      vi.useRealTimers();
    }
  });

  // The host retries a failed run (RETRY_POLICY): a transient failure its retry fixes must not page anyone.
  it('pages only for a run that failed for good, and rates runs by their final outcome, not by attempt', () => {
    const alert = (id: string) => built.contribution.alerts.find((candidate) => candidate.id === id)!;
    const failed = alert('job-failed-runs');
    expect(failed.severity).toBe(1);
    expect(failed.query).toContain('tostring(Properties.outcome) == "failed" and tostring(Properties.final) == "true"');
    // One failed occurrence, however many events it left.
    expect(failed.query).toContain('by Job = tostring(Properties.job), ScheduledTime = tostring(Properties.scheduledTime)');
    expect(failed.description).toContain('failed for good');

    const successRate = alert('job-success-rate');
    expect(successRate.query).toContain('tostring(Properties.final) == "true"');
    expect(successRate.query).toContain('by Job = tostring(Properties.job), ScheduledTime = tostring(Properties.scheduledTime)');
    expect(successRate.query).toContain('| summarize Runs = count(), Succeeded = countif(RunSucceeded) by Job');
    expect(successRate.description).toContain('final outcome');
    // The retry count lives in the app's RETRY_POLICY only.
    for (const { query } of [failed, successRate]) expect(query).not.toMatch(/attempt|\b4\b/);
    const readme = readTree(tree, 'README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('| `job-failed-runs` | 1 | A scheduled job run failed for good');
    expect(readme).toContain('A failure its retry fixes pages no one');
  });

  it('echoes each schedule in plain English with its next runs, and warns about daylight saving time', () => {
    const notices = built.contribution.notices.join('\n');
    expect(notices).toContain('Job nightly-report: At 02:30 (Europe/Berlin); timer schedule (UTC) "0 30 0,1 * * *"; if late: skip');
    expect(notices).toMatch(/next runs: \d{4}-\d{2}-\d{2} 02:30:00 Europe\/Berlin \(0[01]:30:00 UTC\), /);
    expect(notices).toContain('Europe/Berlin observes daylight saving time (UTC+01:00 / UTC+02:00)');
    expect(notices).toContain('job weekly-digest can go more than a day between runs');
  });

  it('lists the jobs in the README', () => {
    const readme = readTree(tree, 'README.md');
    expect(readme).toContain('## Scheduled Tasks');
    expect(readme).toContain('| nightly-report | daily at 02:30 | Europe/Berlin | skip |');
  });

  // A daily job's missed-run window is 48 hours, the most a log alert looks back: the prose must not promise
  // three periods (72 hours) where the alert table shows 2880 minutes.
  it('describes the missed-run window the alert table shows', () => {
    const readme = readTree(tree, 'README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('Job nightly-report has had no successful run in 2880 minutes');
    expect(readme).toContain('within three schedule periods, capped at 48 hours, the longest a log alert looks back (so a daily job gets 48 hours');
  });

  // The host evaluates timers in the machine's local time (UTC only in Azure): `npm start` on a laptop elsewhere
  // fires the UTC schedules at local clock times, and the guarded jobs at candidates that are never due.
  it('warns that the local host reads the schedules in the computer\'s time zone, not UTC', () => {
    const readme = readTree(tree, 'README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('Locally, schedules run in your computer\'s time zone.');
    expect(readme).toContain('start the host with the `TZ` environment variable set to `UTC`');
  });

  // The checkpoint is keyed by the job, not its work: work that replaces the starter gets the starter's last day.
  it('warns, where the work is replaced, that new work receives the starter work\'s checkpoint', () => {
    expect(readTree(tree, 'src/functions/sync.ts')).toContain('delete the job\'s row in the checkpoints table when you deploy new work');
    const readme = readTree(tree, 'README.md').replace(/\s+/g, ' ');
    expect(readme).toContain('the first run of the work that replaces it receives its last position (a day, `YYYY-MM-DD`) as `run.checkpoint`');
  });

  it('defaults to one daily job in UTC for --yes', () => {
    const defaults = plan({});
    expect(defaults.answers.patterns['scheduled-tasks']).toEqual({
      jobs: [{ name: 'run-report', schedule: 'daily at 02:30', pastDue: null }],
      timeZone: 'UTC',
      pastDue: 'run',
    });
    expect(readTree(renderPlan(defaults), 'src/functions/run-report.ts')).toContain('schedule: "0 30 2 * * *"');
  });
});
