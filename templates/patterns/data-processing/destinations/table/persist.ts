import type { TableClient, TransactionAction } from '@azure/data-tables';
import { ensureTable, tableClient } from '../shared/storage-clients.js';
import { BatchWriter } from './batch-writer.js';
import { DATA_CONFIG } from './config.js';
import type { EnrichedOrderRecord } from './records.js';
import type { RecordDestination } from './sink.js';

/** Table storage transactions take up to 100 operations on one partition. */
const MAX_TRANSACTION = 100;

/**
 * Persist stage: records in Table storage, partition = customer, row = order line id. Every write is an upsert,
 * so reprocessing an input rewrites the same rows instead of adding copies.
 */
export class TableDestination implements RecordDestination {
  constructor(
    private readonly table: TableClient,
    private readonly batchSize: number = DATA_CONFIG.batchSize,
  ) {}

  open() {
    // Counted per transaction: a batch spans partitions, and those written before a failed one stay written.
    const written = { rows: 0 };
    const writer = new BatchWriter<EnrichedOrderRecord>(this.batchSize, (records) => this.upsert(records, written));
    return { write: (record: EnrichedOrderRecord) => writer.add(record), close: () => writer.flush(), persisted: () => written.rows };
  }

  private async upsert(records: EnrichedOrderRecord[], written: { rows: number }): Promise<void> {
    await ensureTable(this.table);
    // The pipeline quarantines a repeated order line, so no row comes twice: a transaction would refuse it, and
    // dropping one here would lose a line that the status counts as persisted.
    const byPartition = new Map<string, EnrichedOrderRecord[]>();
    for (const record of records) {
      const rows = byPartition.get(record.customerId) ?? [];
      rows.push(record);
      byPartition.set(record.customerId, rows);
    }
    for (const [partitionKey, rows] of byPartition) {
      const actions: TransactionAction[] = rows.map(({ id, ...fields }) => ['upsert', { partitionKey, rowKey: id, ...fields }, 'Replace']);
      for (let i = 0; i < actions.length; i += MAX_TRANSACTION) {
        const transaction = actions.slice(i, i + MAX_TRANSACTION);
        await this.table.submitTransaction(transaction);
        written.rows += transaction.length;
      }
    }
  }
}

export function createDestination(settings: Readonly<Record<string, string | undefined>> = process.env): RecordDestination {
  return new TableDestination(tableClient(DATA_CONFIG.recordsTable, DATA_CONFIG.storageConnection, settings));
}
