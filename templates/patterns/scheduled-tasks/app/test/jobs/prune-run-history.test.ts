import { describe, expect, it } from 'vitest';
import { pruneRunHistory } from '../../src/jobs/prune-run-history.js';
import type { JobRun } from '../../src/scheduling/scheduled-job.js';
import { testDependencies } from '../support/in-memory-tracking.js';

const DAY = 86_400_000;

async function seedDailyRuns(deps: ReturnType<typeof testDependencies>, from: Date, days: number) {
  for (let i = 0; i < days; i++) {
    const scheduledTime = new Date(from.getTime() + i * DAY);
    await deps.runs.start({ job: 'cleanup', scheduledTime, attempt: 0, startedAt: scheduledTime, outcome: 'succeeded', isPastDue: false, invocationId: `run-${i}` });
  }
}

function runOf(deps: ReturnType<typeof testDependencies>): JobRun {
  return {
    job: 'cleanup',
    scheduledTime: deps.clock(),
    attempt: 0,
    checkpoint: deps.checkpoints.positions.get('cleanup'),
    saveCheckpoint: (position) => deps.checkpoints.write('cleanup', position),
    now: deps.clock,
    log: () => undefined,
  };
}

describe('pruneRunHistory', () => {
  it('deletes the days older than the retention, one checkpointed day at a time', async () => {
    const deps = testDependencies(new Date('2026-03-11T02:30:00Z'));
    await seedDailyRuns(deps, new Date('2026-01-30T02:30:00Z'), 40); // 30 January … 10 March

    await pruneRunHistory({ retentionDays: 30 })(runOf(deps), deps.dependencies);

    const remaining = await deps.runs.list('cleanup');
    expect(remaining[0]!.scheduledTime.toISOString().slice(0, 10)).toBe('2026-02-09');
    expect(remaining).toHaveLength(30);
    expect(deps.checkpoints.positions.get('cleanup')).toBe('2026-02-08');
  });

  it('resumes after a failure from the last day it completed, without redoing earlier days', async () => {
    const deps = testDependencies(new Date('2026-03-11T02:30:00Z'));
    await seedDailyRuns(deps, new Date('2026-01-30T02:30:00Z'), 40);
    const deleted: string[] = [];
    const deleteDay = deps.runs.deleteDay.bind(deps.runs);
    let failOn: string | undefined = '2026-02-03';
    deps.runs.deleteDay = async (job, day) => {
      if (day === failOn) {
        failOn = undefined;
        throw new Error('storage unavailable');
      }
      deleted.push(day);
      return deleteDay(job, day);
    };
    const prune = pruneRunHistory({ retentionDays: 30 });

    await expect(prune(runOf(deps), deps.dependencies)).rejects.toThrow('storage unavailable');
    expect(deps.checkpoints.positions.get('cleanup')).toBe('2026-02-02');
    await prune(runOf(deps), deps.dependencies);

    expect(deleted.filter((day) => day === '2026-01-30')).toHaveLength(1);
    expect(deleted.at(-1)).toBe('2026-02-08');
    expect(await deps.runs.list('cleanup')).toHaveLength(30);
  });

  it('does nothing when no run is older than the retention', async () => {
    const deps = testDependencies(new Date('2026-03-11T02:30:00Z'));
    await seedDailyRuns(deps, new Date('2026-03-01T02:30:00Z'), 10);
    await pruneRunHistory({ retentionDays: 30 })(runOf(deps), deps.dependencies);
    expect(await deps.runs.list('cleanup')).toHaveLength(10);
    expect(deps.checkpoints.positions.has('cleanup')).toBe(false);
  });
});
