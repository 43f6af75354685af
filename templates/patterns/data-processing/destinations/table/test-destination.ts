import { TableDestination } from '../../../src/data-processing/persist.js';
import { tableClient } from '../../../src/shared/storage-clients.js';
import { DATA_CONFIG } from '../../../src/data-processing/config.js';
import type { SinkInput } from '../../../src/data-processing/sink.js';

/** The real Table destination on Azurite (it creates its table), and a way to read back what it persisted. */
export async function testDestination(settings: Record<string, string>) {
  const table = tableClient(DATA_CONFIG.recordsTable, DATA_CONFIG.storageConnection, settings);
  return {
    destination: new TableDestination(table),
    /** Records of `ids`; every destination gets the input too (the blob one stores per input). */
    async persisted(ids: readonly string[], _input: SinkInput): Promise<Record<string, unknown>[]> {
      const rows = [];
      for await (const row of table.listEntities()) if (ids.includes(String(row.rowKey))) rows.push({ ...row, id: row.rowKey });
      return rows;
    },
  };
}
