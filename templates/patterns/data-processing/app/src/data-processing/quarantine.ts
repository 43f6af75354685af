import type { TableClient } from '@azure/data-tables';
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
  /** A writer for one input's rejected records; `flush` returns how many were quarantined. */
  open(inputId: string): { add(record: QuarantinedRecord): Promise<void>; flush(): Promise<number> };
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
 * Rejected records in Table storage: partition = the input, row = the record number (zero-padded so rows
 * sort in file order). Upserts in transactions of 100: reprocessing an input rewrites the same rows.
 */
export class TableQuarantine implements Quarantine {
  constructor(
    private readonly table: TableClient,
    private readonly batchSize = 100,
  ) {}

  open(inputId: string) {
    const partitionKey = statusRowKey(inputId);
    return new BatchWriter<QuarantinedRecord>(this.batchSize, async (records) => {
      await this.table.submitTransaction(
        records.map((record) => ['upsert', { partitionKey, rowKey: String(record.recordNumber).padStart(10, '0'), ...record }, 'Replace']),
      );
    });
  }
}
