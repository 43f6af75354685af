import { describe, expect, it } from 'vitest';
import { PRUNED_DAYS_PER_RUN, pruneRunHistory } from '../../src/scheduling/run-history.js';
import { testDependencies } from '../support/in-memory-tracking.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-11T02:30:00Z');

async function seedDailyRuns(deps: ReturnType<typeof testDependencies>, from: Date, days: number) {
  for (let i = 0; i < days; i++) {
    const scheduledTime = new Date(from.getTime() + i * DAY);
    await deps.runs.start({ job: 'cleanup', scheduledTime, attempt: 0, startedAt: scheduledTime, outcome: 'succeeded', isPastDue: false, invocationId: `run-${i}` });
  }
}

const firstDay = async (deps: ReturnType<typeof testDependencies>) => (await deps.runs.list('cleanup'))[0]?.scheduledTime.toISOString().slice(0, 10);

describe('pruneRunHistory', () => {
  it('deletes the oldest days before the retention, a bounded number per call, until only the retention is left', async () => {
    const deps = testDependencies(NOW);
    await seedDailyRuns(deps, new Date('2026-01-30T02:30:00Z'), 40); // 30 January … 10 March: 10 days too old
    await deps.runs.start({ job: 'other-job', scheduledTime: new Date('2026-01-01T00:00:00Z'), attempt: 0, startedAt: NOW, outcome: 'succeeded', isPastDue: false, invocationId: 'other' });

    expect(await pruneRunHistory(deps.runs, 'cleanup', NOW, 30)).toBe(PRUNED_DAYS_PER_RUN);
    expect(await firstDay(deps)).toBe('2026-02-06');
    expect(await pruneRunHistory(deps.runs, 'cleanup', NOW, 30)).toBe(10 - PRUNED_DAYS_PER_RUN);
    expect(await firstDay(deps)).toBe('2026-02-09');
    expect(await deps.runs.list('cleanup')).toHaveLength(30);
    expect(await deps.runs.list('other-job')).toHaveLength(1);
  });

  it('skips the gaps between recorded days', async () => {
    const deps = testDependencies(NOW);
    await seedDailyRuns(deps, new Date('2025-06-01T02:30:00Z'), 1);
    await seedDailyRuns(deps, new Date('2026-01-15T02:30:00Z'), 1);
    expect(await pruneRunHistory(deps.runs, 'cleanup', NOW, 30)).toBe(2);
    expect(await deps.runs.list('cleanup')).toEqual([]);
  });

  it('does nothing when no run is older than the retention', async () => {
    const deps = testDependencies(NOW);
    await seedDailyRuns(deps, new Date('2026-03-01T02:30:00Z'), 10);
    expect(await pruneRunHistory(deps.runs, 'cleanup', NOW, 30)).toBe(0);
    expect(await deps.runs.list('cleanup')).toHaveLength(10);
  });
});
