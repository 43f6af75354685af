import { describe, expect, it } from 'vitest';
import { reportRunHistory } from '../../src/jobs/report-run-history.js';
import type { JobRun } from '../../src/scheduling/scheduled-job.js';
import type { RunOutcome } from '../../src/scheduling/tracking-store.js';
import { testDependencies } from '../support/in-memory-tracking.js';

async function seed(deps: ReturnType<typeof testDependencies>, scheduled: string, outcome: RunOutcome, attempt = 0) {
  const scheduledTime = new Date(scheduled);
  await deps.runs.start({ job: 'cleanup', scheduledTime, attempt, startedAt: scheduledTime, outcome, isPastDue: false, invocationId: `${scheduled}-${attempt}` });
}

function runOf(deps: ReturnType<typeof testDependencies>, logs: string[]): JobRun {
  return {
    job: 'cleanup',
    scheduledTime: deps.clock(),
    attempt: 0,
    checkpoint: deps.checkpoints.positions.get('cleanup'),
    saveCheckpoint: async (position) => void deps.checkpoints.positions.set('cleanup', position),
    signal: new AbortController().signal,
    now: deps.clock,
    log: (message) => logs.push(message),
  };
}

describe('reportRunHistory', () => {
  it('reports the day before on its first run, then each finished day once, from the checkpoint on', async () => {
    const deps = testDependencies(new Date('2026-05-04T02:30:00Z'));
    await seed(deps, '2026-05-03T02:30:00Z', 'failed');
    await seed(deps, '2026-05-03T02:30:00Z', 'succeeded', 1);
    await seed(deps, '2026-05-04T02:30:00Z', 'running');
    const logs: string[] = [];

    await reportRunHistory()(runOf(deps, logs), deps.dependencies);
    expect(logs).toEqual(['runs scheduled on 2026-05-03: 1 failed, 1 succeeded']);
    expect(deps.checkpoints.positions.get('cleanup')).toBe('2026-05-03');

    // Two days later (a day missed while the app was stopped): both finished days, in order.
    deps.advance(2 * 86_400_000);
    await reportRunHistory()(runOf(deps, logs), deps.dependencies);
    expect(logs.slice(1)).toEqual(['runs scheduled on 2026-05-04: 1 running', 'runs scheduled on 2026-05-05: none']);
    expect(deps.checkpoints.positions.get('cleanup')).toBe('2026-05-05');
  });

  it('resumes after a failure with the day it did not finish', async () => {
    const deps = testDependencies(new Date('2026-05-06T02:30:00Z'));
    deps.checkpoints.positions.set('cleanup', '2026-05-02');
    const list = deps.runs.list.bind(deps.runs);
    let failOn: string | undefined = '2026-05-04';
    deps.runs.list = async (job, since, until) => {
      if (since === failOn) {
        failOn = undefined;
        throw new Error('storage unavailable');
      }
      return list(job, since, until);
    };
    const logs: string[] = [];

    await expect(reportRunHistory()(runOf(deps, logs), deps.dependencies)).rejects.toThrow('storage unavailable');
    await reportRunHistory()(runOf(deps, logs), deps.dependencies);
    expect(logs.map((line) => /\d{4}-\d{2}-\d{2}/.exec(line)?.[0])).toEqual(['2026-05-03', '2026-05-04', '2026-05-05']);
  });
});
