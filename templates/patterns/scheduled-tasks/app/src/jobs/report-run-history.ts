import type { JobWork } from '../scheduling/scheduled-job.js';
import { RUN_HISTORY_DAYS } from '../scheduling/run-history.js';
import { nextDay, type RunOutcome } from '../scheduling/tracking-store.js';

/**
 * The work every generated job starts with: a report of the job's own runs, one finished UTC day per unit of
 * work (how many runs of that day succeeded, failed, were skipped). Reporting a day again only repeats its line
 * (idempotent), and the checkpoint (the last day reported) lets a retry or the next run continue with the
 * following day (resumable). Replace it with your job's work and keep that shape: units, each safe to repeat,
 * checkpointed when done.
 */
export function reportRunHistory(): JobWork {
  return async (run, { runs }) => {
    const today = run.now().toISOString().slice(0, 10);
    // At most the last RUN_HISTORY_DAYS days, however long the app was stopped: by default nothing older is kept.
    const oldestKept = dayBefore(today, RUN_HISTORY_DAYS);
    const afterCheckpoint = run.checkpoint === undefined ? dayBefore(today, 1) : nextDay(run.checkpoint);
    for (let day = afterCheckpoint > oldestKept ? afterCheckpoint : oldestKept; day < today; day = nextDay(day)) {
      const counts = new Map<RunOutcome, number>();
      for (const { outcome } of await runs.list(run.job, day, nextDay(day))) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      const summary = [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
      run.log(`runs scheduled on ${day}: ${summary || 'none'}`);
      await run.saveCheckpoint(day);
    }
  };
}

function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}
