import type { JobWork } from '../scheduling/scheduled-job.js';
import { nextDay } from '../scheduling/tracking-store.js';

/**
 * The work every generated job starts with: deleting its own run records older than the retention, one UTC
 * day per unit of work. Deleting a day twice deletes nothing the second time (idempotent), and the checkpoint
 * (the last day pruned) lets a retry or the next run continue with the following day (resumable). Replace it
 * with your job's work and keep that shape: units, each safe to repeat, checkpointed when done.
 */
export function pruneRunHistory(options: { retentionDays: number }): JobWork {
  return async (run, { runs }) => {
    const keepFrom = new Date(run.now().getTime() - options.retentionDays * 86_400_000).toISOString().slice(0, 10);
    let day = run.checkpoint === undefined ? await runs.earliestDay(run.job) : nextDay(run.checkpoint);
    let pruned = 0;
    while (day !== undefined && day < keepFrom) {
      pruned += await runs.deleteDay(run.job, day);
      await run.saveCheckpoint(day);
      day = nextDay(day);
    }
    run.log(`pruned ${pruned} run records older than ${keepFrom} (kept ${options.retentionDays} days)`);
  };
}
