import { oneValue, textOption } from '../option-kinds.js';
import { templateFolder } from '../../templates-dir.js';
import { definePattern, emptyContribution } from '../types.js';
import { DEFAULT_JOBS, formatJobs, parseJobs, parsePastDue, PAST_DUE_POLICIES, type JobSpec, type PastDuePolicy } from './jobs.js';
import { checkTimeZone } from './schedule.js';
import { jobAlerts, planJobs, scheduleNotices, type PlannedJob } from './plan-jobs.js';

export type ScheduledTasksOptions = {
  jobs: JobSpec[];
  timeZone: string;
  pastDue: PastDuePolicy;
};

const TEMPLATES = 'patterns/scheduled-tasks';

export const scheduledTasks = definePattern<ScheduledTasksOptions>({
  id: 'scheduled-tasks',
  title: 'Scheduled Tasks',
  summary: 'Timer-triggered jobs with past-due handling, checkpoints and execution tracking.',
  matrix: { useCase: 'Periodic', scalability: 'Medium', complexity: 'Low' },
  options: {
    jobs: {
      flag: '--job <jobs>',
      description: 'jobs as name=schedule, ";"-separated; schedule: 6-field NCRONTAB, 5-field cron, "every 15 minutes", "hourly", "daily at 02:30"; append |skip to skip late runs',
      defaultValue: DEFAULT_JOBS,
      parse: parseJobs,
      format: formatJobs,
      prompt: { kind: 'input' },
    },
    timeZone: textOption('--time-zone <iana>', 'IANA time zone the schedules are written in (converted to UTC: Flex Consumption runs timers in UTC)', 'UTC', (input) => checkTimeZone(oneValue(input, 'the time zone'))),
    pastDue: {
      flag: '--past-due <policy>',
      description: 'what a job does when its run is late (the app was down or busy): run it anyway or skip it',
      defaultValue: 'run',
      parse: (input) => parsePastDue(input),
      format: (value) => value,
      prompt: { kind: 'select', choices: PAST_DUE_POLICIES.map((value) => ({ value, name: value === 'run' ? 'run late runs anyway' : 'skip late runs' })) },
    },
  },
  // Conversion is where "never fires" and time-zone problems surface; doing it here reports them before writing.
  validate: (options) => void plannedJobs(options),
  contribute: (options) => {
    const { now, jobs } = plannedJobs(options);
    const { alerts, notices: alertNotices } = jobAlerts(jobs);
    return {
      ...emptyContribution(),
      files: [
        ...templateFolder(`${TEMPLATES}/app`),
        ...jobs.map((job) => ({ template: `${TEMPLATES}/job/function.ts.hbs`, path: `src/functions/${job.name}.ts`, data: { job }, option: 'jobs' })),
        { template: `${TEMPLATES}/job/scheduled-jobs.test.ts.hbs`, path: 'test/functions/scheduled-jobs.test.ts', data: { jobs } },
      ],
      infraModules: [
        {
          symbol: 'scheduledTasks',
          template: `${TEMPLATES}/infra/scheduled-tasks.bicep`,
          path: 'infra/modules/scheduled-tasks.bicep',
          coreParams: ['location', 'tags', 'storageAccountName', 'logAnalyticsWorkspaceName'],
        },
      ],
      appSettings: [
        {
          name: 'SCHEDULED_JOB_RUNS_TABLE',
          local: 'JobRuns',
          cloud: { module: 'scheduledTasks', output: 'runsTableName' },
          description: 'Table storage table of job run records (one row per run attempt)',
        },
        {
          name: 'SCHEDULED_JOB_CHECKPOINTS_TABLE',
          local: 'JobCheckpoints',
          cloud: { module: 'scheduledTasks', output: 'checkpointsTableName' },
          description: 'Table storage table of job checkpoints (last completed unit of work per job)',
        },
      ],
      functionNames: jobs.map((job) => ({ name: job.name, option: 'jobs', durationAlerted: true })),
      storageNames: [
        { kind: 'table', name: 'JobRuns' },
        { kind: 'table', name: 'JobCheckpoints' },
      ],
      dependencies: ['cron-parser'],
      alerts,
      features: ['storageClients', 'customTelemetry'],
      readmePartial: `${TEMPLATES}/partials/readme.md`,
      nextSteps: ['Replace each job\'s `work` in src/functions/<job>.ts with your own; keep it in units with a checkpoint (see README "Scheduled Tasks").'],
      notices: [...scheduleNotices(jobs, options.timeZone, now), ...alertNotices],
    };
  },
});

/** The engine validates, then contributes, the same options object: its jobs are planned once. */
const plans = new WeakMap<ScheduledTasksOptions, { now: Date; jobs: PlannedJob[] }>();
function plannedJobs(options: ScheduledTasksOptions): { now: Date; jobs: PlannedJob[] } {
  let plan = plans.get(options);
  if (!plan) {
    const now = new Date();
    plan = { now, jobs: planJobs(options, now) };
    plans.set(options, plan);
  }
  return plan;
}

export type { PlannedJob };
