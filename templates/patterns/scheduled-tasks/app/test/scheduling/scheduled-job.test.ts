import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_MS, PAST_DUE_GRACE_MS, RETRY_POLICY, RunInProgressError, runScheduledJob, scheduledJob, STALE_RUN_MS, type JobRun, type ScheduledJobDefinition } from '../../src/scheduling/scheduled-job.js';
import { invocation, testDependencies, timer } from '../support/in-memory-tracking.js';

const SCHEDULED = new Date('2026-05-04T02:30:00Z');

/** Work in five numbered units, checkpointed one by one; `failAt` makes one attempt fail at that unit. */
function unitsOfWork(options: { failAt?: number } = {}) {
  const done: number[] = [];
  let failAt = options.failAt;
  const work = async (run: JobRun) => {
    for (let unit = Number(run.checkpoint ?? 0) + 1; unit <= 5; unit++) {
      if (unit === failAt) {
        failAt = undefined; // a transient failure: the retry gets through
        throw new Error(`unit ${unit} failed`);
      }
      done.push(unit);
      await run.saveCheckpoint(String(unit));
    }
  };
  return { done, work };
}

function job(overrides: Partial<ScheduledJobDefinition> = {}): ScheduledJobDefinition {
  return { name: 'nightly-report', schedule: '0 30 2 * * *', pastDue: 'run', work: async () => undefined, ...overrides };
}

describe('scheduledJob registration', () => {
  it('never runs on startup, keeps the schedule monitor and retries with exponential backoff', () => {
    const { options } = scheduledJob(job());
    expect(options).toMatchObject({ schedule: '0 30 2 * * *', runOnStartup: false, useMonitor: true, retry: RETRY_POLICY });
    expect(RETRY_POLICY.strategy).toBe('exponentialBackoff');
    expect(RETRY_POLICY.maxRetryCount).toBeGreaterThan(0);
  });
});

describe('runScheduledJob', () => {
  it('records a successful run with its occurrence, timing and invocation, and emits it as telemetry', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00.250Z'));
    const definition = job({ work: async () => void deps.advance(1_500) });

    const traceParent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const record = await runScheduledJob(definition, timer(), invocation({ invocationId: 'inv-7', traceParent }).context, deps.dependencies);

    const expected = {
      job: 'nightly-report',
      scheduledTime: SCHEDULED,
      attempt: 0,
      startedAt: new Date('2026-05-04T02:30:00.250Z'),
      endedAt: new Date('2026-05-04T02:30:01.750Z'),
      durationMs: 1_500,
      outcome: 'succeeded',
      isPastDue: false,
      invocationId: 'inv-7',
    };
    expect(record).toEqual(expected);
    expect(await deps.runs.list('nightly-report')).toEqual([expected]);
    expect(deps.telemetry.runs).toEqual([expected]);
    expect(deps.telemetry.finals).toEqual([true]);
    // The trace id, so the event joins the run's request, logs and exceptions in Application Insights.
    expect(deps.telemetry.operationIds).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736']);
  });

  it('runs a past-due occurrence under the "run" policy and marks it late', async () => {
    const deps = testDependencies(new Date('2026-05-04T06:00:00Z'));
    const { context, logs } = invocation();
    const record = await runScheduledJob(job({ pastDue: 'run' }), timer(true), context, deps.dependencies);
    expect(record).toMatchObject({ scheduledTime: SCHEDULED, outcome: 'succeeded', isPastDue: true });
    expect(logs).toContainEqual({ level: 'warning', message: expect.stringContaining('past due') });
  });

  it('skips a past-due occurrence under the "skip" policy, without doing the work, and records the skip', async () => {
    const deps = testDependencies(new Date('2026-05-04T06:00:00Z'));
    const { done, work } = unitsOfWork();
    const record = await runScheduledJob(job({ pastDue: 'skip', work }), timer(true), invocation().context, deps.dependencies);
    expect(done).toEqual([]);
    expect(record).toMatchObject({ scheduledTime: SCHEDULED, outcome: 'skipped', isPastDue: true });
    expect(deps.telemetry.runs.map((run) => run.outcome)).toEqual(['skipped']);
  });

  // An idle app is started for its timer and the host checks the schedule seconds after the occurrence: past due.
  it('runs, under the "skip" policy too, an occurrence the host reports past due when it started only seconds late', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:07Z'));
    const { done, work } = unitsOfWork();
    const { context, logs } = invocation();
    const record = await runScheduledJob(job({ pastDue: 'skip', work }), timer(true, SCHEDULED), context, deps.dependencies);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(record).toMatchObject({ scheduledTime: SCHEDULED, outcome: 'succeeded', isPastDue: true });
    expect(logs).not.toContainEqual(expect.objectContaining({ level: 'warning' }));
  });

  it('retries under the "skip" policy a run that started within the grace and failed, however late the retry comes', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:07Z'));
    const { done, work } = unitsOfWork({ failAt: 3 });
    const definition = job({ pastDue: 'skip', work });
    await expect(runScheduledJob(definition, timer(true, SCHEDULED), invocation().context, deps.dependencies)).rejects.toThrow('unit 3 failed');
    // The host's retries hand over the same late Timer; by the third one the grace is long past.
    deps.advance(PAST_DUE_GRACE_MS + 60_000);
    const record = await runScheduledJob(definition, timer(true, SCHEDULED), invocation({ retryCount: 3 }).context, deps.dependencies);
    expect(record).toMatchObject({ attempt: 3, outcome: 'succeeded' });
    expect(done).toEqual([1, 2, 3, 4, 5]);
  });

  it('skips under the "skip" policy an occurrence later than the grace the host needs to start', async () => {
    const deps = testDependencies(new Date(SCHEDULED.getTime() + PAST_DUE_GRACE_MS + 1_000));
    const { done, work } = unitsOfWork();
    const record = await runScheduledJob(job({ pastDue: 'skip', work }), timer(true, SCHEDULED), invocation().context, deps.dependencies);
    expect(done).toEqual([]);
    expect(record).toMatchObject({ scheduledTime: SCHEDULED, outcome: 'skipped' });
  });

  it('never turns a recorded run into a skip: a late invocation of an occurrence that succeeded leaves it succeeded', async () => {
    const deps = testDependencies(new Date('2026-05-04T06:00:00Z'));
    const succeeded = { job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'running' as const, isPastDue: false, invocationId: 'earlier' };
    const version = await deps.runs.start(succeeded);
    await deps.runs.finish({ ...succeeded, outcome: 'succeeded', endedAt: SCHEDULED, durationMs: 1000 }, version!);
    const { done, work } = unitsOfWork();
    expect(await runScheduledJob(job({ pastDue: 'skip', work }), timer(true), invocation().context, deps.dependencies)).toBeUndefined();
    expect(done).toEqual([]);
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toMatchObject({ outcome: 'succeeded', invocationId: 'earlier' });
    expect(deps.telemetry.runs).toEqual([]);
  });

  it('under the "skip" policy, closes the run a crash left "running" as failed instead of leaving it running forever', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { done, work } = unitsOfWork();
    const definition = job({ pastDue: 'skip', work });
    await deps.runs.start({ job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'running', isPastDue: false, invocationId: 'crashed' });

    // The host restarts and invokes the occurrence late, before the crashed run looks dead: it checks again later.
    deps.advance(60_000);
    await expect(runScheduledJob(definition, timer(true), invocation().context, deps.dependencies)).rejects.toThrow(RunInProgressError);
    deps.advance(STALE_RUN_MS);
    expect(await runScheduledJob(definition, timer(true), invocation({ retryCount: 1 }).context, deps.dependencies)).toBeUndefined();

    expect(done).toEqual([]);
    expect(await deps.runs.list('nightly-report')).toEqual([
      expect.objectContaining({ attempt: 0, outcome: 'failed', invocationId: 'crashed', error: expect.stringContaining('abandoned') }),
    ]);
    expect(deps.telemetry.runs.map(({ outcome, invocationId }) => ({ outcome, invocationId }))).toEqual([{ outcome: 'failed', invocationId: 'crashed' }]);
    // Not resumed and not retried: the occurrence failed for good.
    expect(deps.telemetry.finals).toEqual([true]);
  });

  it('fails, is retried by the host, and the retry resumes from the checkpoint and succeeds', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { done, work } = unitsOfWork({ failAt: 3 });
    const definition = job({ work });

    await expect(runScheduledJob(definition, timer(), invocation({ invocationId: 'first' }).context, deps.dependencies)).rejects.toThrow('unit 3 failed');
    expect(deps.checkpoints.positions.get('nightly-report')).toBe('2');

    deps.advance(30_000); // the host's first backoff
    const retry = await runScheduledJob(definition, timer(), invocation({ retryCount: 1, invocationId: 'retry' }).context, deps.dependencies);

    expect(done).toEqual([1, 2, 3, 4, 5]); // nothing redone, nothing lost
    expect(retry).toMatchObject({ scheduledTime: SCHEDULED, attempt: 1, outcome: 'succeeded' });
    const history = await deps.runs.list('nightly-report');
    expect(history.map(({ attempt, outcome }) => ({ attempt, outcome }))).toEqual([
      { attempt: 0, outcome: 'failed' },
      { attempt: 1, outcome: 'succeeded' },
    ]);
    expect(history[0]!.error).toContain('unit 3 failed');
    expect(deps.telemetry.runs.map((run) => run.outcome)).toEqual(['failed', 'succeeded']);
    // The first failure had retries left: not final, so it pages no one.
    expect(deps.telemetry.finals).toEqual([false, true]);
  });

  it('reports the failure of the last attempt the retry policy allows as final', async () => {
    const deps = testDependencies(SCHEDULED);
    const lastAttempt = invocation({ retryCount: RETRY_POLICY.maxRetryCount }).context;
    await expect(runScheduledJob(job({ work: () => Promise.reject(new Error('still down')) }), timer(), lastAttempt, deps.dependencies)).rejects.toThrow('still down');
    expect(deps.telemetry.runs.map(({ attempt, outcome }) => ({ attempt, outcome }))).toEqual([{ attempt: RETRY_POLICY.maxRetryCount, outcome: 'failed' }]);
    expect(deps.telemetry.finals).toEqual([true]);
  });

  it('records the run failed, and fails for a retry, when the checkpoint cannot be claimed', async () => {
    const deps = testDependencies(SCHEDULED);
    deps.checkpoints.claim = async () => {
      throw new Error('table unavailable');
    };
    const { done, work } = unitsOfWork();

    await expect(runScheduledJob(job({ work }), timer(), invocation().context, deps.dependencies)).rejects.toThrow('table unavailable');
    expect(done).toEqual([]);
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toMatchObject({ outcome: 'failed', error: expect.stringContaining('table unavailable') });
  });

  it('waits for a checkpoint save its work did not wait for, and fails the run for a retry when that save fails', async () => {
    const deps = testDependencies(SCHEDULED);
    deps.checkpoints.write = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('table unavailable');
    };
    // Work that forgets to wait for its save: the save's failure must neither go unhandled (which ends the worker
    // process, and every invocation on it) nor leave the run recorded as succeeded with its checkpoint not moved.
    const work = async (run: JobRun) => void run.saveCheckpoint('1');

    await expect(runScheduledJob(job({ work }), timer(), invocation().context, deps.dependencies)).rejects.toThrow('table unavailable');
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toMatchObject({ outcome: 'failed', error: expect.stringContaining('table unavailable') });
  });

  it('records a retry under the occurrence it retries, even when the schedule has moved on since', async () => {
    const occurrence = new Date('2026-05-04T10:15:00Z');
    const deps = testDependencies(new Date('2026-05-04T10:15:00.200Z'));
    const { done, work } = unitsOfWork({ failAt: 3 });
    const everyFiveMinutes = job({ schedule: '0 */5 * * * *', work });
    // Every retry of an invocation gets the Timer the host built for it.
    const firedFor = timer(false, occurrence);
    await expect(runScheduledJob(everyFiveMinutes, firedFor, invocation().context, deps.dependencies)).rejects.toThrow('unit 3 failed');

    deps.advance(450_000); // the fourth retry: 30 s + 1 + 2 + 4 min of backoff, past the next occurrence (10:20)
    const retry = await runScheduledJob(everyFiveMinutes, firedFor, invocation({ retryCount: 4 }).context, deps.dependencies);

    expect(retry).toMatchObject({ scheduledTime: occurrence, attempt: 4, outcome: 'succeeded' });
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect((await deps.runs.list('nightly-report')).map(({ scheduledTime }) => scheduledTime)).toEqual([occurrence, occurrence]);
  });

  it('refuses a second execution while the first is alive, failing so the host retries it later', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { done, work } = unitsOfWork();
    await deps.runs.start({ job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'running', isPastDue: false, invocationId: 'other' });
    deps.advance(60_000);

    await expect(runScheduledJob(job({ work }), timer(true), invocation().context, deps.dependencies)).rejects.toThrow(RunInProgressError);
    // Nor does a retry of it, whose attempt number differs: the occurrence is taken as a whole.
    await expect(runScheduledJob(job({ work }), timer(), invocation({ retryCount: 1 }).context, deps.dependencies)).rejects.toThrow('invocation other is still running');
    expect(done).toEqual([]);
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toMatchObject({ outcome: 'running', invocationId: 'other' });
  });

  it('takes over an occurrence whose execution died without an outcome, minutes after the crash, and closes its record', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { done, work } = unitsOfWork();
    await deps.runs.start({ job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'running', isPastDue: false, invocationId: 'crashed' });
    deps.advance(STALE_RUN_MS + 1);

    // The host's retry of the invocation that found it alive.
    const record = await runScheduledJob(job({ work }), timer(), invocation({ retryCount: 1, invocationId: 'retry' }).context, deps.dependencies);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(record).toMatchObject({ attempt: 1, outcome: 'succeeded', invocationId: 'retry' });
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toMatchObject({ outcome: 'failed', error: expect.stringContaining('abandoned') });
    // The crash reaches the failed-run alert, not only the table.
    expect(deps.telemetry.runs.map(({ attempt, outcome }) => ({ attempt, outcome }))).toEqual([
      { attempt: 0, outcome: 'failed' },
      { attempt: 1, outcome: 'succeeded' },
    ]);
    // The crashed attempt is not the occurrence's outcome: the execution that took it over carries it on.
    expect(deps.telemetry.finals).toEqual([false, true]);
  });

  it('lets exactly one of two executions that find the occurrence free at the same moment do the work', async () => {
    const deps = testDependencies(SCHEDULED);
    await deps.runs.start({ job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'failed', isPastDue: false, invocationId: 'first' });
    // Both read the occurrence (its first attempt failed) before either records its own attempt, a different row each.
    const readAttempts = deps.runs.attempts.bind(deps.runs);
    let readers = 0;
    let bothRead!: () => void;
    const gate = new Promise<void>((resolve) => (bothRead = resolve));
    deps.runs.attempts = async (...args) => {
      const rows = await readAttempts(...args);
      if (++readers === 2) bothRead();
      await gate;
      return rows;
    };
    let workDone = 0;
    const definition = job({ work: async () => void workDone++ });

    const results = await Promise.allSettled([
      runScheduledJob(definition, timer(), invocation({ retryCount: 1, invocationId: 'retry-1' }).context, deps.dependencies),
      runScheduledJob(definition, timer(), invocation({ retryCount: 2, invocationId: 'retry-2' }).context, deps.dependencies),
    ]);

    expect(workDone).toBe(1);
    const lost = results.find((result) => result.status === 'rejected');
    expect(lost?.status === 'rejected' && lost.reason).toBeInstanceOf(RunInProgressError);
  });

  it('takes over its own attempt when the execution that died had the same one', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { done, work } = unitsOfWork();
    await deps.runs.start({ job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'running', isPastDue: false, invocationId: 'crashed' });
    deps.advance(STALE_RUN_MS + 1);

    const record = await runScheduledJob(job({ work }), timer(true), invocation().context, deps.dependencies);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    expect(record).toMatchObject({ attempt: 0, outcome: 'succeeded', invocationId: 'invocation-1' });
  });

  it('never overwrites a takeover: a run that was only paused, and judged dead, records nothing when it resumes', async () => {
    const deps = testDependencies(SCHEDULED);
    let resume!: () => void;
    const { context, logs } = invocation({ invocationId: 'paused' });
    const paused = runScheduledJob(job({ work: () => new Promise<void>((resolve) => (resume = resolve)) }), timer(), context, deps.dependencies);
    await vi.waitFor(() => expect(resume).toBeDefined());

    // Silent past the limit (a long GC pause, a frozen instance): a late invocation of the same attempt takes over.
    deps.advance(STALE_RUN_MS + 1);
    const takeover = await runScheduledJob(job(), timer(true), invocation({ invocationId: 'takeover' }).context, deps.dependencies);
    expect(takeover).toMatchObject({ attempt: 0, outcome: 'succeeded', invocationId: 'takeover' });

    resume();
    expect(await paused).toBeUndefined();
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toEqual(takeover);
    expect(logs).toContainEqual({ level: 'warning', message: expect.stringContaining('another execution took over') });
    expect(deps.telemetry.runs.map(({ outcome, invocationId }) => ({ outcome, invocationId }))).toEqual([
      { outcome: 'failed', invocationId: 'paused' },
      { outcome: 'succeeded', invocationId: 'takeover' },
    ]);
    expect(deps.telemetry.finals).toEqual([false, true]);
  });

  it('stops a paused run that was taken over at its next checkpoint, which stays where the takeover left it', async () => {
    const deps = testDependencies(SCHEDULED);
    const done: string[] = [];
    let resume!: () => void;
    const paused = runScheduledJob(
      job({
        work: async (run) => {
          done.push('paused: 1');
          await run.saveCheckpoint('1');
          await new Promise<void>((resolve) => (resume = resolve));
          // Unaware of the takeover, it goes on with the unit after its checkpoint.
          done.push('paused: 2');
          await run.saveCheckpoint('2');
          done.push('paused: 3');
        },
      }),
      timer(),
      invocation({ invocationId: 'paused' }).context,
      deps.dependencies,
    );
    await vi.waitFor(() => expect(resume).toBeDefined());

    deps.advance(STALE_RUN_MS + 1);
    const { done: resumed, work } = unitsOfWork();
    await runScheduledJob(job({ work }), timer(true), invocation({ invocationId: 'takeover' }).context, deps.dependencies);
    expect(resumed).toEqual([2, 3, 4, 5]);
    expect(deps.checkpoints.owners.get('nightly-report')).toBe('takeover');

    resume();
    // Not rejected: a retry of the paused run would only contend with the execution that took over.
    expect(await paused).toBeUndefined();
    expect(done).toEqual(['paused: 1', 'paused: 2']);
    expect(deps.checkpoints.positions.get('nightly-report')).toBe('5');
  });

  it('hands the checkpoint to a later run that started while an earlier one was paused, and records the earlier one failed', async () => {
    const deps = testDependencies(SCHEDULED);
    let resume!: () => void;
    const { context, logs } = invocation({ invocationId: 'earlier' });
    const earlier = runScheduledJob(
      job({
        work: async (run) => {
          await new Promise<void>((resolve) => (resume = resolve));
          await run.saveCheckpoint('1');
        },
      }),
      timer(),
      context,
      deps.dependencies,
    );
    await vi.waitFor(() => expect(resume).toBeDefined());

    // The next day's run (the platform's lock lost while the earlier one was frozen) claims the checkpoint.
    deps.advance(86_400_000);
    const { done, work } = unitsOfWork();
    await runScheduledJob(job({ work }), timer(), invocation({ invocationId: 'later' }).context, deps.dependencies);
    expect(done).toEqual([1, 2, 3, 4, 5]);

    resume();
    expect(await earlier).toBeUndefined();
    expect(deps.checkpoints.positions.get('nightly-report')).toBe('5');
    expect(await deps.runs.get('nightly-report', SCHEDULED, 0)).toMatchObject({ outcome: 'failed', error: expect.stringContaining('RunSupersededError') });
    expect(logs).toContainEqual({ level: 'warning', message: expect.stringContaining("stopped without retrying: nightly-report: another execution claimed the job's checkpoint") });
    // Superseded, not failed for good: the later run carries the work on.
    expect(deps.telemetry.runs.map(({ invocationId, outcome }) => ({ invocationId, outcome }))).toEqual([
      { invocationId: 'later', outcome: 'succeeded' },
      { invocationId: 'earlier', outcome: 'failed' },
    ]);
    expect(deps.telemetry.finals).toEqual([true, false]);
  });

  describe('a run longer than the staleness limit', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('aborts the signal of a paused run at its first heartbeat after a takeover, so work that heeds it stops', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const deps = testDependencies(SCHEDULED);
      let started = false;
      const heedsSignal = job({
        work: (run) => {
          started = true;
          return new Promise<void>((_, reject) => run.signal.addEventListener('abort', () => reject(run.signal.reason as Error)));
        },
      });
      const paused = runScheduledJob(heedsSignal, timer(), invocation({ invocationId: 'paused' }).context, deps.dependencies);
      await vi.waitFor(() => expect(started).toBe(true));

      deps.advance(STALE_RUN_MS + 1);
      await runScheduledJob(job(), timer(true), invocation({ invocationId: 'takeover' }).context, deps.dependencies);
      await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);

      expect(await paused).toBeUndefined();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('keeps its heartbeat fresh, so it is never taken for dead and run twice', async () => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
      let release!: () => void;
      const slow = job({ work: () => new Promise<void>((resolve) => (release = resolve)) });
      const first = runScheduledJob(slow, timer(), invocation({ invocationId: 'long' }).context, deps.dependencies);
      await vi.waitFor(() => expect(release).toBeDefined());

      for (let minute = 0; minute < 10; minute++) {
        deps.advance(HEARTBEAT_MS);
        await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
      }
      expect((await deps.runs.get('nightly-report', SCHEDULED, 0))?.heartbeatAt).toEqual(deps.clock());
      const { done, work } = unitsOfWork();
      await expect(runScheduledJob(job({ work }), timer(true), invocation().context, deps.dependencies)).rejects.toThrow(RunInProgressError);
      expect(done).toEqual([]);

      release();
      expect(await first).toMatchObject({ outcome: 'succeeded', invocationId: 'long' });
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('does nothing at a UTC candidate that is not due in local time', async () => {
    const deps = testDependencies(new Date('2026-07-01T14:00:00Z'));
    const { done, work } = unitsOfWork();
    const definition = job({ schedule: '0 0 13,14 * * *', localTime: { schedule: '0 0 9 * * *', timeZone: 'America/New_York' }, work });
    expect(await runScheduledJob(definition, timer(), invocation().context, deps.dependencies)).toBeUndefined();
    expect(done).toEqual([]);
    expect(await deps.runs.list('nightly-report')).toEqual([]);
  });

  it('prunes the job\'s run history older than its retention after a successful run, whatever its work', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const old = new Date('2026-03-01T02:30:00Z');
    await deps.runs.start({ job: 'nightly-report', scheduledTime: old, attempt: 0, startedAt: old, outcome: 'succeeded', isPastDue: false, invocationId: 'old' });
    const recent = new Date('2026-04-20T02:30:00Z');
    await deps.runs.start({ job: 'nightly-report', scheduledTime: recent, attempt: 0, startedAt: recent, outcome: 'succeeded', isPastDue: false, invocationId: 'recent' });

    await runScheduledJob(job({ historyDays: 20 }), timer(), invocation({ invocationId: 'today' }).context, deps.dependencies);
    expect((await deps.runs.list('nightly-report')).map(({ invocationId }) => invocationId)).toEqual(['recent', 'today']);
    deps.advance(86_400_000);
    await runScheduledJob(job(), timer(), invocation({ invocationId: 'tomorrow' }).context, deps.dependencies);
    expect((await deps.runs.list('nightly-report')).map(({ invocationId }) => invocationId)).toEqual(['recent', 'today', 'tomorrow']);
  });

  it('keeps a successful run successful when its history cannot be pruned', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { context, logs } = invocation();
    deps.runs.earliestDay = () => Promise.reject(new Error('table busy'));
    expect(await runScheduledJob(job(), timer(), context, deps.dependencies)).toMatchObject({ outcome: 'succeeded' });
    expect(logs).toContainEqual({ level: 'warning', message: expect.stringContaining('table busy') });
  });

  it('keeps a successful run successful when telemetry cannot be sent', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    const { context, logs } = invocation();
    const broken = { ...deps.dependencies, telemetry: { trackRun: () => Promise.reject(new Error('ingestion down')) } };
    expect(await runScheduledJob(job(), timer(), context, broken)).toMatchObject({ outcome: 'succeeded' });
    expect(logs).toContainEqual({ level: 'warning', message: expect.stringContaining('ingestion down') });
  });
});
