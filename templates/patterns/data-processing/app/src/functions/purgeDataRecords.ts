import { app, type InvocationContext, type Timer } from '@azure/functions';
import { DATA_CONFIG } from '../data-processing/config.js';
import { defaultDataEnvironment, type DataEnvironment } from '../data-processing/dependencies.js';
import { purgeRowsWrittenBefore, retentionDays } from '../data-processing/retention.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The status and quarantine rows are the audit trail of recent inputs, but Table storage has no TTL: a nightly
 * run deletes the rows last written more than DATA_RETENTION_DAYS ago, so the tables stay bounded.
 */
export async function purgeDataRecords(_timer: Timer, context: InvocationContext, environment: DataEnvironment = defaultDataEnvironment(), now = new Date()): Promise<void> {
  const cutoff = new Date(now.getTime() - retentionDays() * DAY_MS);
  for (const name of [DATA_CONFIG.statusTable, DATA_CONFIG.quarantineTable]) {
    const purged = await purgeRowsWrittenBefore(environment.table(name), cutoff);
    context.log(`Purged ${purged} row(s) of the ${name} table last written before ${cutoff.toISOString()}`);
  }
}

app.timer('purgeDataRecords', {
  // NCRONTAB, UTC: every day at 03:45, away from the top of the hour when other jobs tend to run.
  schedule: '0 45 3 * * *',
  handler: (timer, context) => purgeDataRecords(timer, context),
});
