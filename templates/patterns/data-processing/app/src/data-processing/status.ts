import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ensureTable } from '../shared/storage-clients.js';

export type InputSource = 'blob' | 'queue' | 'eventhubs';
/** `superseded`: a new version replaced the input before it could be moved aside; that version runs on its own. */
export type InputState = 'received' | 'validated' | 'processed' | 'archived' | 'failed' | 'superseded';

/** The audit trail of one input (a file, a message or an event): where it got to, with counts and times. */
export interface InputStatus {
  source: InputSource;
  inputId: string;
  /** Content version (a blob's ETag); a new upload under the same name is a new input. */
  version: string;
  state: InputState;
  attempts: number;
  /** The execution that last worked on it; its trace id is the OperationId of that attempt's telemetry. */
  traceParent?: string;
  records: number;
  valid: number;
  quarantined: number;
  persisted: number;
  receivedAt: string;
  validatedAt?: string;
  processedAt?: string;
  archivedAt?: string;
  failedAt?: string;
  poisonedAt?: string;
  supersededAt?: string;
  error?: string;
}

export interface StatusStore {
  get(source: InputSource, inputId: string): Promise<InputStatus | undefined>;
  save(status: InputStatus): Promise<void>;
}

/** Row keys cannot hold `/`, `#`, `?` or `\`; a hash of the id can, and `inputId` keeps the readable form. */
export function statusRowKey(inputId: string): string {
  return createHash('sha256').update(inputId).digest('hex');
}

/** One row per input in Table storage: partition = source, row = hash of the input id. */
export class TableStatusStore implements StatusStore {
  constructor(private readonly table: TableClient) {}

  async get(source: InputSource, inputId: string): Promise<InputStatus | undefined> {
    await ensureTable(this.table);
    try {
      const entity = await this.table.getEntity<InputStatus>(source, statusRowKey(inputId));
      return { ...entity, source, inputId: entity.inputId };
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  async save(status: InputStatus): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity({ partitionKey: status.source, rowKey: statusRowKey(status.inputId), ...status }, 'Replace');
  }
}
