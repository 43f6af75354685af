import { odata, type TableClient } from '@azure/data-tables';
import { deleteWhere, ensureTable } from '../shared/storage-clients.js';
import { BatchWriter } from './batch-writer.js';
import { statusRowKey } from './status.js';

export interface QuarantinedRecord {
  inputId: string;
  recordNumber: number;
  reason: string;
  /** The record as received (JSON), cut to fit a table property. */
  record: string;
}

export interface Quarantine {
  /** A writer for the rejected records of one version of an input; `flush` returns how many were quarantined. */
  open(inputId: string, version: string): { add(record: QuarantinedRecord): Promise<void>; flush(): Promise<number> };
  /** Deletes the rejected records of one version of an input, so that a new attempt's are the only ones. */
  clear(inputId: string, version: string): Promise<void>;
}

// A table string property holds 64 KiB of UTF-16; stay well below it and say the record was cut.
const MAX_RECORD_CHARS = 16_000;

export function quarantinedRecord(inputId: string, recordNumber: number, reason: string, record: unknown): QuarantinedRecord {
  const text = typeof record === 'string' ? record : JSON.stringify(record);
  return {
    inputId,
    recordNumber,
    reason: reason.slice(0, MAX_RECORD_CHARS),
    record: text.length > MAX_RECORD_CHARS ? `${text.slice(0, MAX_RECORD_CHARS)}… (cut)` : text,
  };
}

/**
 * One partition per version of an input, under the input's own prefix: a file uploaded again under the same
 * name starts with none of the old version's rows, and every version's rows stay together.
 */
export function quarantinePartitionKey(inputId: string, version: string): string {
  return `${statusRowKey(inputId)}-${statusRowKey(version)}`;
}

/**
 * A transaction's body holds at most 4 MiB. Long records that are not ASCII reach that well before 100 rows
 * (a Japanese record cut at 16,000 characters is 48 KB of UTF-8): rows go in transactions of up to 3 MiB of
 * JSON, leaving room for the batch's own framing.
 */
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;

function* transactionsBySize<T>(entities: T[]): Generator<T[]> {
  let transaction: T[] = [];
  let bytes = 0;
  for (const entity of entities) {
    const size = Buffer.byteLength(JSON.stringify(entity));
    if (transaction.length > 0 && bytes + size > MAX_TRANSACTION_BYTES) {
      yield transaction;
      transaction = [];
      bytes = 0;
    }
    transaction.push(entity);
    bytes += size;
  }
  if (transaction.length > 0) yield transaction;
}

/**
 * Rejected records in Table storage: partition = the input and its version, row = the record number
 * (zero-padded so rows sort in file order). Upserts in transactions of up to 100 rows and 3 MiB: reprocessing
 * an input rewrites the same rows.
 */
export class TableQuarantine implements Quarantine {
  constructor(
    private readonly table: TableClient,
    private readonly batchSize = 100,
  ) {}

  open(inputId: string, version: string) {
    const partitionKey = quarantinePartitionKey(inputId, version);
    return new BatchWriter<QuarantinedRecord>(this.batchSize, async (records) => {
      await ensureTable(this.table);
      const entities = records.map((record) => ({ partitionKey, rowKey: String(record.recordNumber).padStart(10, '0'), version, ...record }));
      for (const transaction of transactionsBySize(entities)) {
        await this.table.submitTransaction(transaction.map((entity) => ['upsert', entity, 'Replace']));
      }
    });
  }

  async clear(inputId: string, version: string): Promise<void> {
    await ensureTable(this.table);
    await deleteWhere(this.table, odata`PartitionKey eq ${quarantinePartitionKey(inputId, version)}`);
  }
}
