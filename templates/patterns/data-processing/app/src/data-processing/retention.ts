import { odata, type TableClient } from '@azure/data-tables';
import { deleteWhere, ensureTable } from '../shared/storage-clients.js';

type Settings = Readonly<Record<string, string | undefined>>;

/** The app setting that says how many days status and quarantine rows are kept after their last write. */
export const RETENTION_SETTING = 'DATA_RETENTION_DAYS';

export function retentionDays(settings: Settings = process.env): number {
  const value = settings[RETENTION_SETTING];
  // Digits only: Number() would read 0x1E as 30 and 1e3 as 1000.
  const days = Number(value);
  if (!/^\s*\d+\s*$/.test(value ?? '') || days < 1) {
    throw new Error(`${RETENTION_SETTING} must be a whole number of days, at least 1; it is ${JSON.stringify(value)}`);
  }
  return days;
}

/** Deletes the rows of a table last written before `cutoff`; returns how many went. */
export async function purgeRowsWrittenBefore(table: TableClient, cutoff: Date): Promise<number> {
  await ensureTable(table);
  // Timestamp is the service's own last-modified time of a row, updated by every write.
  return deleteWhere(table, odata`Timestamp lt ${cutoff}`);
}
