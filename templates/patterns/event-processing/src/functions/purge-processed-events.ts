import { app, type InvocationContext, type Timer } from '@azure/functions';
import { eventDependencies } from '../events/dependencies.js';

/** Idempotency records expire, but Table storage has no TTL: a nightly run deletes the expired ones. */
export async function purgeProcessedEvents(_timer: Timer, context: InvocationContext, deps = eventDependencies()): Promise<void> {
  const purged = await deps.idempotency.purgeExpired();
  context.log(`Purged ${purged} expired idempotency record(s)`);
}

app.timer('purgeProcessedEvents', {
  // NCRONTAB, UTC: every day at 03:15, away from the top of the hour when other jobs tend to run.
  schedule: '0 15 3 * * *',
  handler: purgeProcessedEvents,
});
