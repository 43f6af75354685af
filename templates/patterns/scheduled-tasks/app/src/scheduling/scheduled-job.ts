import type { ExponentialBackoffRetryOptions, InvocationContext, Timer, TimerFunctionOptions } from '@azure/functions';
import { invocationOperationId } from '../shared/custom-telemetry.js';
import { tableClient } from '../shared/storage-clients.js';
import { pruneRunHistory, RUN_HISTORY_DAYS } from './run-history.js';
import { occurrenceToRun, type LocalTime } from './schedule.js';
import { telemetryFromEnvironment, type JobTelemetry, type RunReport } from './telemetry.js';
import { TableCheckpointStore, TableRunStore, type CheckpointStore, type CheckpointVersion, type RunRecord, type RunStore, type RunVersion } from './tracking-store.js';

export type PastDuePolicy = 'run' | 'skip';

/** What a job's work gets for one run. */
export interface JobRun {
  job: string;
  /** The occurrence this run belongs to (UTC); retries of it share it. */
  scheduledTime: Date;
  attempt: number;
  /** The last unit of work a previous run or attempt completed; undefined before the first one ever. */
  checkpoint: string | undefined;
  /**
   * Marks a unit of work as done: a retry or the next run starts after it instead of redoing it. Fails with
   * RunSupersededError once another execution has taken over (and then never writes).
   */
  saveCheckpoint(position: string): Promise<void>;
  /**
   * Aborted, with a RunSupersededError, once another execution has taken this run or the job's checkpoint over:
   * work that checks it, or passes it to the calls it makes, stops before its next checkpoint.
   */
  signal: AbortSignal;
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
  /** Days of run records kept (default RUN_HISTORY_DAYS): the runner deletes older ones after a successful run. */
  historyDays?: number;
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

/** How often a running run records that it is alive. */
export const HEARTBEAT_MS = 60_000;

/**
 * A "running" record without a heartbeat for this long belongs to an execution that died (a crash, a lost
 * instance, a restart); a live run, however long, keeps its heartbeat fresh.
 */
export const STALE_RUN_MS = 5 * HEARTBEAT_MS;

/**
 * How late a past-due invocation may start and still run under the "skip" policy. The host reports an occurrence
 * past due whenever it checks the schedule after the occurrence's time, and an app scaled to zero (the norm on Flex
 * Consumption) is started for its timer and checks a few seconds late: without this margin a "skip" job of an idle
 * app would be skipped at nearly every run. Only a run later than this (the app was down or stuck) is skipped.
 */
export const PAST_DUE_GRACE_MS = 2 * 60_000;

/**
 * Thrown when another execution is still working on the occurrence: failing (instead of returning) has the host
 * retry with backoff, and a retry finds the occurrence finished, or stale and takes it over.
 */
export class RunInProgressError extends Error {
  override readonly name = 'RunInProgressError';
}

/**
 * This execution no longer owns its run: another one took the run over (this one was paused, not dead) or
 * claimed the job's checkpoint (a later run started while this one was paused). That one carries the work on,
 * so this one stops and is not retried.
 */
export class RunSupersededError extends Error {
  override readonly name = 'RunSupersededError';
}

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
  // The host sends no schedule status when the monitor is off, whatever the type says.
  const scheduledFor = timer.scheduleStatus?.next;
  const scheduledTime = occurrenceToRun(definition.schedule, localTime, { now: startedAt, isPastDue: timer.isPastDue, scheduledFor });
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
    // A retry carries on what its invocation's first attempt started: the lateness that counts is that attempt's
    // (recorded late too; an on-time run a crash left behind is not one of them).
    const firstStart = record.attempt > 0 ? ((await dependencies.runs.attempts(name, scheduledTime)).find((run) => run.isPastDue)?.startedAt ?? startedAt) : startedAt;
    const lateMs = firstStart.getTime() - scheduledTime.getTime();
    const late = `${name}: the run scheduled for ${scheduledTime.toISOString()} is past due: ${record.attempt > 0 ? 'its first attempt' : 'it'} started ${Math.round(lateMs / 1000)} s late`;
    if (lateMs <= PAST_DUE_GRACE_MS) {
      context.log(`${late}, within ${PAST_DUE_GRACE_MS / 1000} s (the app was starting for it): it runs whatever the policy`);
    } else {
      context.warn(`${late} (the app was stopped, scaling or busy); policy: ${definition.pastDue}`);
    }
    if (definition.pastDue === 'skip' && lateMs > PAST_DUE_GRACE_MS) {
      const earlier = await inspectEarlierRuns(record, dependencies, context);
      if (earlier === 'done') return undefined;
      if (earlier.abandoned.length > 0) {
        // Closed one by one, each conditional on its record: this execution does no work, so there is nothing another
        // one could end up doing twice. The record says failed, which is what happened: the work is not resumed late.
        for (const { dead, closed } of earlier.abandoned) {
          if ((await dependencies.runs.replace(dead, closed)) === undefined) throw lostRace(record);
          // Neither resumed nor retried: the occurrence failed for good.
          await report(closed, { final: true }, dependencies, context);
        }
        context.log(`${name}: the run for ${scheduledTime.toISOString()} died and is past due; not resumed under the skip policy`);
        return undefined;
      }
      // Recorded only when the occurrence has no record yet: a failed attempt stays failed, not "skipped".
      const version = await dependencies.runs.start(record);
      if (version === undefined) {
        context.log(`${name}: the run for ${scheduledTime.toISOString()} is already recorded; nothing to skip`);
        return undefined;
      }
      return finish(record, version, 'skipped', dependencies, context);
    }
  }

  const version = await claim(record, dependencies, context);
  if (version === undefined) return undefined;

  const superseded = new AbortController();
  const alive = keepAlive(record, version, dependencies, context, superseded);
  try {
    const checkpoint = await claimCheckpoint(name, context.invocationId, dependencies.checkpoints, superseded);
    await definition.work(
      {
        job: name,
        scheduledTime,
        attempt: record.attempt,
        checkpoint: checkpoint.position,
        saveCheckpoint: checkpoint.save,
        signal: superseded.signal,
        now: dependencies.clock,
        log: (message) => context.log(`${name}: ${message}`),
      },
      dependencies,
    );
    // A save the work did not wait for is part of the run: the run has not succeeded until the checkpoint has moved.
    await checkpoint.saved();
  } catch (error) {
    const version = await alive.stop();
    // Not final while the host has retries left, nor when superseded: the execution that superseded this one carries on.
    const final = !superseded.signal.aborted && record.attempt >= RETRY_POLICY.maxRetryCount;
    await finish(record, version, 'failed', dependencies, context, { error, final });
    if (superseded.signal.aborted) {
      // The execution that superseded this one carries the work on; a retry of this one would only contend with it.
      context.warn(`${name}: stopped without retrying: ${(superseded.signal.reason as Error).message}`);
      return undefined;
    }
    throw error;
  }
  const succeeded = await finish(record, await alive.stop(), 'succeeded', dependencies, context);
  if (succeeded) await pruneHistory(definition, dependencies, context);
  return succeeded;
}

/** Keeps the job's run history bounded, whatever its work does; a failure here leaves the run successful. */
async function pruneHistory(definition: ScheduledJobDefinition, dependencies: JobDependencies, context: InvocationContext): Promise<void> {
  const historyDays = definition.historyDays ?? RUN_HISTORY_DAYS;
  try {
    const pruned = await pruneRunHistory(dependencies.runs, definition.name, dependencies.clock(), historyDays);
    if (pruned > 0) context.log(`${definition.name}: pruned ${pruned} run records older than ${historyDays} days`);
  } catch (error) {
    context.warn(`${definition.name}: run history not pruned (the next successful run tries again): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Claims the job's checkpoint for this execution. Its saves are written one after another, each conditional on
 * the version the previous one left; once another execution has claimed the checkpoint, or taken the run over,
 * a save writes nothing and fails with RunSupersededError.
 */
async function claimCheckpoint(job: string, owner: string, checkpoints: CheckpointStore, superseded: AbortController) {
  const claimed = await checkpoints.claim(job, owner);
  let version: CheckpointVersion = claimed.version;
  let saves: Promise<void> = Promise.resolve();
  const write = async (position: string) => {
    superseded.signal.throwIfAborted();
    const written = await checkpoints.write(job, owner, position, version);
    if (written !== undefined) {
      version = written;
      return;
    }
    superseded.abort(new RunSupersededError(`${job}: another execution claimed the job's checkpoint after this one did; this one moves it no more`));
    throw superseded.signal.reason;
  };
  return {
    position: claimed.position,
    // In call order, even when the work does not wait for one save before the next; a failed save fails only itself.
    save: (position: string) => {
      saves = saves.catch(() => undefined).then(() => write(position));
      // Handled here too: the failure of a save the work does not wait for would otherwise be an unhandled rejection,
      // which ends the worker process. The runner waits for the last save (`saved`) before recording the outcome.
      saves.catch(() => undefined);
      return saves;
    },
    /** Settles with the last save: fails if it failed. */
    saved: () => saves,
  };
}

/**
 * Refreshes the run's heartbeat every HEARTBEAT_MS, each write conditional on the version the previous one
 * left. `stop` waits for a write in flight (the finish must not race it) and gives the version to finish from,
 * or undefined once another execution has taken the run over (which also aborts `superseded`).
 */
function keepAlive(record: RunRecord, version: RunVersion, dependencies: JobDependencies, context: InvocationContext, superseded: AbortController) {
  let current: RunVersion | undefined = version;
  let beat = Promise.resolve();
  const interval = setInterval(() => {
    beat = beat
      .then(async () => {
        if (current === undefined) return;
        current = await dependencies.runs.heartbeat(record, dependencies.clock(), current);
        if (current === undefined) {
          context.warn(takenOver(record));
          superseded.abort(new RunSupersededError(takenOver(record)));
        }
      })
      .catch((error: unknown) => {
        context.warn(`${record.job}: heartbeat not recorded: ${error instanceof Error ? error.message : String(error)}`);
      });
  }, HEARTBEAT_MS);
  return {
    async stop(): Promise<RunVersion | undefined> {
      clearInterval(interval);
      await beat;
      return current;
    },
  };
}

/**
 * Takes the occurrence for this execution: records its attempt and closes the dead runs it takes over in one write
 * that fails if any record of the occurrence changed since they were read, so that of several executions that
 * find the occurrence free, or the same run dead, exactly one does the work.
 */
async function claim(record: RunRecord, dependencies: JobDependencies, context: InvocationContext): Promise<RunVersion | undefined> {
  const earlier = await inspectEarlierRuns(record, dependencies, context);
  if (earlier === 'done') return undefined;
  const closed = earlier.abandoned.map((run) => run.closed);
  const version = await dependencies.runs.claim(record, earlier.seen, closed);
  if (version === undefined) throw lostRace(record);
  // The crashes reach telemetry, not only the table; not as final failures, since this execution carries the occurrence on.
  for (const run of closed) await report(run, { final: false }, dependencies, context);
  return version;
}

/** What earlier executions left of an occurrence that none finished. */
interface EarlierRuns {
  /** Every record of the occurrence, as read: taking it over is conditional on them being unchanged. */
  seen: RunRecord[];
  /** The runs whose execution died, each with the record that closes it as failed. */
  abandoned: Array<{ dead: RunRecord; closed: RunRecord }>;
}

/**
 * Reads what earlier executions left of the occurrence, across all its attempts: 'done' once one succeeded or was
 * skipped; a live execution (fresh heartbeat) keeps it and this one fails with RunInProgressError so the host
 * retries later; an execution silent for STALE_RUN_MS died, and this one may take its run over. The platform's
 * singleton lock normally prevents overlaps; this guards the crash and lost-lease cases.
 */
async function inspectEarlierRuns(record: RunRecord, dependencies: JobDependencies, context: InvocationContext): Promise<'done' | EarlierRuns> {
  const seen = await dependencies.runs.attempts(record.job, record.scheduledTime);
  const done = seen.find((run) => run.outcome === 'succeeded' || run.outcome === 'skipped');
  if (done) {
    context.log(`${record.job}: the run for ${record.scheduledTime.toISOString()} already ${done.outcome} (attempt ${done.attempt}); nothing to do`);
    return 'done';
  }
  const running = seen.filter((run) => run.outcome === 'running');
  const live = running.find((run) => record.startedAt.getTime() - lastSeen(run).getTime() < STALE_RUN_MS);
  if (live) throw inProgress(record, live);
  const abandoned = running.map((dead) => {
    const silentSince = lastSeen(dead).toISOString();
    context.warn(`${record.job}: taking over ${record.scheduledTime.toISOString()} (attempt ${dead.attempt}) from invocation ${dead.invocationId}, silent since ${silentSince}`);
    const closed: RunRecord = {
      ...dead,
      outcome: 'failed',
      endedAt: record.startedAt,
      // What it is known to have run for: until its last sign of life.
      durationMs: lastSeen(dead).getTime() - dead.startedAt.getTime(),
      error: `abandoned: no heartbeat since ${silentSince}; taken over by invocation ${record.invocationId}`,
    };
    return { dead, closed };
  });
  return { seen, abandoned };
}

function lastSeen(run: RunRecord): Date {
  return run.heartbeatAt ?? run.startedAt;
}

function inProgress(record: RunRecord, live: RunRecord): RunInProgressError {
  const at = `${record.scheduledTime.toISOString()} (attempt ${live.attempt})`;
  return new RunInProgressError(`${record.job}: invocation ${live.invocationId} is still running ${at}; this one stops so the job never runs twice at once, and its retry checks again`);
}

function lostRace(record: RunRecord): RunInProgressError {
  return new RunInProgressError(`${record.job}: another execution took over ${record.scheduledTime.toISOString()} first; this one stops, and its retry checks again`);
}

function takenOver(record: RunRecord): string {
  const at = `${record.scheduledTime.toISOString()} (attempt ${record.attempt})`;
  return `${record.job}: another execution took over ${at}, having heard no heartbeat from this one (paused or cut off) for ${STALE_RUN_MS / 60_000} minutes; this one records nothing more, so as not to overwrite that one's record`;
}

/**
 * Records the run's outcome over its record, if the record is still at `version` (the one this execution last
 * wrote), and reports it; otherwise another execution has taken the run over, and its record stands.
 */
async function finish(
  started: RunRecord,
  version: RunVersion | undefined,
  outcome: 'succeeded' | 'failed' | 'skipped',
  dependencies: JobDependencies,
  context: InvocationContext,
  failure?: { error: unknown; final: boolean },
): Promise<RunRecord | undefined> {
  const endedAt = dependencies.clock();
  const record: RunRecord = {
    ...started,
    outcome,
    endedAt,
    durationMs: endedAt.getTime() - started.startedAt.getTime(),
    ...(failure !== undefined && { error: failure.error instanceof Error ? (failure.error.stack ?? failure.error.message) : String(failure.error) }),
  };
  if (version === undefined || !(await dependencies.runs.finish(record, version))) {
    context.warn(`${takenOver(started)} (its outcome: ${outcome})`);
    return undefined;
  }
  // A success or a skip is always the occurrence's outcome for good.
  await report(record, { final: failure?.final ?? true }, dependencies, context);
  return record;
}

/** Sends a run's outcome to telemetry and the log. */
async function report(record: RunRecord, { final }: Pick<RunReport, 'final'>, dependencies: JobDependencies, context: InvocationContext): Promise<void> {
  try {
    await dependencies.telemetry.trackRun(record, { final, operationId: invocationOperationId(context) });
  } catch (telemetryError) {
    // Lost telemetry must not fail (and so retry) a run whose work is done; the table still has the record.
    context.warn(`${record.job}: run telemetry not sent: ${telemetryError instanceof Error ? telemetryError.message : String(telemetryError)}`);
  }
  const summary = `${record.job}: run for ${record.scheduledTime.toISOString()} (attempt ${record.attempt}) ${record.outcome} in ${record.durationMs} ms`;
  if (record.outcome === 'failed') context.error(summary);
  else context.log(summary);
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
