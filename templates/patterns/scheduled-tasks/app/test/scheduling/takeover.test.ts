import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { tableClient } from '../../src/shared/storage-clients.js';
import { HEARTBEAT_MS, RunInProgressError, runScheduledJob, RunSupersededError, STALE_RUN_MS, type JobRun, type ScheduledJobDefinition } from '../../src/scheduling/scheduled-job.js';
import { TableCheckpointStore, TableRunStore } from '../../src/scheduling/tracking-store.js';
import { invocation, testDependencies, timer } from '../support/in-memory-tracking.js';

// Against Azurite: only real Table storage shows whether two executions can both take over one dead run.
const settings = { AzureWebJobsStorage: inject('azuriteConnectionString') };
const SCHEDULED = new Date('2026-05-04T02:30:00Z');
const freshTable = () => tableClient(`t${randomUUID().replace(/-/g, '').slice(0, 20)}`, 'AzureWebJobsStorage', settings);
const freshRuns = () => new TableRunStore(freshTable());
const definition: ScheduledJobDefinition = { name: 'nightly-report', schedule: '0 30 2 * * *', pastDue: 'run', work: async () => undefined };

describe('taking over a dead run, against Azurite', () => {
  it('lets exactly one of two concurrent executions that find the same silent run take it over and do the work', async () => {
    const deps = testDependencies(SCHEDULED);
    const runs = freshRuns();
    const dependencies = { ...deps.dependencies, runs };
    await runs.start({ job: 'nightly-report', scheduledTime: SCHEDULED, attempt: 0, startedAt: SCHEDULED, outcome: 'running', isPastDue: false, invocationId: 'crashed' });
    deps.advance(STALE_RUN_MS + 1);
    let workDone = 0;
    const counted = { ...definition, work: async () => void workDone++ };

    const results = await Promise.allSettled([
      runScheduledJob(counted, timer(), invocation({ retryCount: 1, invocationId: 'retry-1' }).context, dependencies),
      runScheduledJob(counted, timer(), invocation({ retryCount: 2, invocationId: 'retry-2' }).context, dependencies),
    ]);

    expect(workDone).toBe(1);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = results.find((result) => result.status === 'rejected')!;
    expect(lost.reason).toBeInstanceOf(RunInProgressError);
    expect((await runs.attempts('nightly-report', SCHEDULED)).map(({ outcome }) => outcome)).toEqual(['failed', 'succeeded']);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a run that was only paused from writing over the record of the execution that took it over', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const deps = testDependencies(SCHEDULED);
    const dependencies = { ...deps.dependencies, runs: freshRuns() };
    let resume!: () => void;
    const { context, logs } = invocation({ invocationId: 'paused' });
    const paused = runScheduledJob({ ...definition, work: () => new Promise<void>((resolve) => (resume = resolve)) }, timer(), context, dependencies);
    await vi.waitFor(() => expect(resume).toBeDefined());

    deps.advance(STALE_RUN_MS + 1);
    const takeover = await runScheduledJob(definition, timer(true), invocation({ invocationId: 'takeover' }).context, dependencies);
    // The paused run wakes up: its heartbeat is due, then its work ends.
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    resume();

    expect(await paused).toBeUndefined();
    expect(await dependencies.runs.get('nightly-report', SCHEDULED, 0)).toEqual(takeover);
    expect(logs.filter(({ message }) => message.includes('another execution took over'))).toHaveLength(2);
  });

  it('refuses the checkpoint of a paused run that was taken over, which stops without a retry', async () => {
    const deps = testDependencies(SCHEDULED);
    const dependencies = { ...deps.dependencies, runs: freshRuns(), checkpoints: new TableCheckpointStore(freshTable()) };
    let resume!: () => void;
    let pausedRun!: JobRun;
    const paused = runScheduledJob(
      {
        ...definition,
        work: async (run) => {
          pausedRun = run;
          await run.saveCheckpoint('1');
          await new Promise<void>((resolve) => (resume = resolve));
          await run.saveCheckpoint('2');
        },
      },
      timer(),
      invocation({ invocationId: 'paused' }).context,
      dependencies,
    );
    await vi.waitFor(() => expect(resume).toBeDefined());

    deps.advance(STALE_RUN_MS + 1);
    let resumedFrom: string | undefined;
    const takeover = async (run: JobRun) => {
      resumedFrom = run.checkpoint;
      await run.saveCheckpoint('5');
    };
    await runScheduledJob({ ...definition, work: takeover }, timer(true), invocation({ invocationId: 'takeover' }).context, dependencies);
    resume();

    expect(await paused).toBeUndefined();
    expect(resumedFrom).toBe('1');
    expect(pausedRun.signal.reason).toBeInstanceOf(RunSupersededError);
    expect((await dependencies.checkpoints.claim('nightly-report', 'next-run')).position).toBe('5');
  });
});
