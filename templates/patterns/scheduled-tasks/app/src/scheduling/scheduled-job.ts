import type { ExponentialBackoffRetryOptions, InvocationContext, Timer, TimerFunctionOptions } from '@azure/functions';
import { tableClient } from '../shared/storage-clients.js';
import { occurrenceToRun, type LocalTime } from './schedule.js';
import { invocationOperationId, telemetryFromEnvironment, type JobTelemetry } from './telemetry.js';
import { TableCheckpointStore, TableRunStore, type CheckpointStore, type RunRecord, type RunStore } from './tracking-store.js';

export type PastDuePolicy = 'run' | 'skip';

/** What a job's work gets for one run. */
export interface JobRun {
  job: string;
  /** The occurrence this run belongs to (UTC); retries of it share it. */
  scheduledTime: Date;
  attempt: number;
  /** The last unit of work a previous run or attempt completed; undefined before the first one ever. */
  checkpoint: string | undefined;
  /** Marks a unit of work as done: a retry or the next run starts after it instead of redoing it. */
  saveCheckpoint(position: string): Promise<void>;
  now(): Date;
  log(message: string): void;
}

/** A job's work: idempotent per unit and resumable from `run.checkpoint`. */
export type JobWork = (run: JobRun, dependencies: JobDependencies) => Promise<void>;

export interface ScheduledJobDefinition {
  /** Function name, run-history partition and checkpoint key. */
  name: string;
  /** 6-field NCRONTAB in UTC: Flex Consumption runs timers in UTC and has no WEBSITE_TIME_ZONE. */
  schedule: string;
  /**
   * For a job written in a local time zone whose UTC equivalent moves with daylight saving time: the trigger
   * fires at every UTC candidate and the job runs only at the candidates that are due in local time.
   */
  localTime?: LocalTime;
  pastDue: PastDuePolicy;
  work: JobWork;
}

export interface JobDependencies {
  runs: RunStore;
  checkpoints: CheckpointStore;
  telemetry: JobTelemetry;
  clock: () => Date;
}

/**
 * Failed runs are retried by the host with exponential backoff (timer triggers honour `retry`); the
 * checkpoint makes a retry continue rather than start over.
 */
export const RETRY_POLICY: ExponentialBackoffRetryOptions = {
  strategy: 'exponentialBackoff',
  maxRetryCount: 4,
  minimumInterval: { seconds: 30 },
  maximumInterval: { minutes: 10 },
};

/** A run still "running" after the host's function timeout (30 minutes on Flex Consumption) has died. */
export const STALE_RUN_MS = 30 * 60_000;

export interface ScheduledJob {
  name: string;
  definition: ScheduledJobDefinition;
  /** The registration for `app.timer`. */
  options: TimerFunctionOptions;
}

export function scheduledJob(definition: ScheduledJobDefinition): ScheduledJob {
  return {
    name: definition.name,
    definition,
    options: {
      schedule: definition.schedule,
      // true would also fire on every restart and scale-out, besides the schedule.
      runOnStartup: false,
      // The schedule monitor (a blob in host storage) is what lets the host notice a missed run (isPastDue).
      useMonitor: true,
      retry: RETRY_POLICY,
      handler: timerHandler(definition),
    },
  };
}

/** The handler the host calls; tests pass their own dependencies. */
export function timerHandler(definition: ScheduledJobDefinition, dependencies: () => JobDependencies = defaultDependencies) {
  return async (timer: Timer, context: InvocationContext): Promise<void> => {
    await runScheduledJob(definition, timer, context, dependencies());
  };
}

/**
 * One invocation: find the occurrence it belongs to, apply the local-time guard and the past-due policy,
 * record the run, do the work from the checkpoint on, record the outcome and emit telemetry. A failure is
 * rethrown so the host's retry policy runs the occurrence again.
 */
export async function runScheduledJob(definition: ScheduledJobDefinition, timer: Timer, context: InvocationContext, dependencies: JobDependencies): Promise<RunRecord | undefined> {
  const { name, localTime } = definition;
  const startedAt = dependencies.clock();
  const scheduledTime = occurrenceToRun(definition.schedule, localTime, startedAt, timer.isPastDue);
  if (scheduledTime === undefined) {
    context.debug(`${name}: ${startedAt.toISOString()} is not a run in ${localTime?.timeZone}; skipped by the local-time guard`);
    return undefined;
  }
  const record: RunRecord = {
    job: name,
    scheduledTime,
    attempt: context.retryContext?.retryCount ?? 0,
    startedAt,
    outcome: 'running',
    isPastDue: timer.isPastDue,
    invocationId: context.invocationId,
  };

  if (timer.isPastDue) {
    context.warn(`${name}: the run scheduled for ${scheduledTime.toISOString()} is past due (the app was stopped, scaling or busy); policy: ${definition.pastDue}`);
    if (definition.pastDue === 'skip') {
      // Recorded only when the occurrence has no record yet: a late invocation of a run that already succeeded
      // (or is running) must not overwrite it with "skipped".
      if (!(await dependencies.runs.start(record))) {
        context.log(`${name}: the run for ${scheduledTime.toISOString()} is already recorded; nothing to skip`);
        return undefined;
      }
      return finish(record, 'skipped', dependencies, context);
    }
  }

  if (!(await claim(record, dependencies, context))) return undefined;

  const run: JobRun = {
    job: name,
    scheduledTime,
    attempt: record.attempt,
    checkpoint: await dependencies.checkpoints.read(name),
    saveCheckpoint: (position) => dependencies.checkpoints.write(name, position),
    now: dependencies.clock,
    log: (message) => context.log(`${name}: ${message}`),
  };
  try {
    await definition.work(run, dependencies);
  } catch (error) {
    await finish(record, 'failed', dependencies, context, error);
    throw error;
  }
  return finish(record, 'succeeded', dependencies, context);
}

/**
 * Inserts the starting record. The platform runs one execution of a timer at a time across instances (a blob
 * lease); a conflict here means that guarantee did not hold, or an earlier execution died without an outcome.
 */
async function claim(record: RunRecord, dependencies: JobDependencies, context: InvocationContext): Promise<boolean> {
  if (await dependencies.runs.start(record)) return true;
  const existing = await dependencies.runs.get(record.job, record.scheduledTime, record.attempt);
  const at = `${record.scheduledTime.toISOString()} (attempt ${record.attempt})`;
  if (existing?.outcome === 'succeeded' || existing?.outcome === 'skipped') {
    context.log(`${record.job}: the run for ${at} already ${existing.outcome}; nothing to do`);
    return false;
  }
  if (existing?.outcome === 'running' && record.startedAt.getTime() - existing.startedAt.getTime() < STALE_RUN_MS) {
    context.error(`${record.job}: invocation ${existing.invocationId} is already running ${at}; this one stops so the job never runs twice at once`);
    return false;
  }
  context.warn(`${record.job}: taking over ${at}, left ${existing?.outcome ?? 'unrecorded'} by invocation ${existing?.invocationId ?? 'unknown'}`);
  await dependencies.runs.finish(record);
  return true;
}

async function finish(
  started: RunRecord,
  outcome: 'succeeded' | 'failed' | 'skipped',
  dependencies: JobDependencies,
  context: InvocationContext,
  error?: unknown,
): Promise<RunRecord> {
  const endedAt = dependencies.clock();
  const record: RunRecord = {
    ...started,
    outcome,
    endedAt,
    durationMs: endedAt.getTime() - started.startedAt.getTime(),
    ...(error !== undefined && { error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  };
  await dependencies.runs.finish(record);
  try {
    await dependencies.telemetry.trackRun(record, invocationOperationId(context));
  } catch (telemetryError) {
    // Lost telemetry must not fail (and so retry) a run whose work is done; the table still has the record.
    context.warn(`${record.job}: run telemetry not sent: ${telemetryError instanceof Error ? telemetryError.message : String(telemetryError)}`);
  }
  const summary = `${record.job}: run for ${record.scheduledTime.toISOString()} (attempt ${record.attempt}) ${outcome} in ${record.durationMs} ms`;
  if (outcome === 'failed') context.error(summary);
  else context.log(summary);
  return record;
}

let defaults: JobDependencies | undefined;

/** Created on first use, not at import: loading the module must not need any setting. */
export function defaultDependencies(): JobDependencies {
  defaults ??= {
    runs: new TableRunStore(tableClient(process.env.SCHEDULED_JOB_RUNS_TABLE ?? 'JobRuns')),
    checkpoints: new TableCheckpointStore(tableClient(process.env.SCHEDULED_JOB_CHECKPOINTS_TABLE ?? 'JobCheckpoints')),
    telemetry: telemetryFromEnvironment(),
    clock: () => new Date(),
  };
  return defaults;
}
