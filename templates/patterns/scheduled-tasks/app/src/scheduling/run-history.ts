import type { RunStore } from './tracking-store.js';

/** How many days of run records a job keeps unless its definition says otherwise (`historyDays`). */
export const RUN_HISTORY_DAYS = 30;

/**
 * The most days of records one run deletes: a backlog (history kept longer before) goes over a few runs,
 * none of them made long by it.
 */
export const PRUNED_DAYS_PER_RUN = 7;

/**
 * Deletes a job's run records scheduled before its last `historyDays` UTC days, oldest day first, at most
 * PRUNED_DAYS_PER_RUN days per call; returns how many records went. A day is deleted whole, and deleting it
 * again deletes nothing, so a call cut short loses nothing: the next one starts from the oldest day left.
 */
export async function pruneRunHistory(runs: RunStore, job: string, now: Date, historyDays: number): Promise<number> {
  const keepFrom = new Date(now.getTime() - historyDays * 86_400_000).toISOString().slice(0, 10);
  let pruned = 0;
  for (let days = 0; days < PRUNED_DAYS_PER_RUN; days++) {
    const oldest = await runs.earliestDay(job);
    if (oldest === undefined || oldest >= keepFrom) break;
    pruned += await runs.deleteDay(job, oldest);
  }
  return pruned;
}
