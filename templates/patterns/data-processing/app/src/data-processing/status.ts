import { randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ensureTable, entityOrUndefined, hasStatus, tableKey } from '../shared/storage-clients.js';

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
  /** Records known to be in the destination: all the valid ones once processed, or what attempts that failed left there. */
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

/** Whether the input needs no more work: archived, superseded by a new version, or moved to poison. */
export function isFinished(status: InputStatus): boolean {
  return status.state === 'archived' || status.state === 'superseded' || status.poisonedAt !== undefined;
}

/** A status row as read, with the ETag a save names to write it only if it is unchanged. */
export type StoredStatus = InputStatus & { etag: string };

/**
 * Another execution wrote the status row since this one read it: the same input delivered twice at once (Event
 * Grid and the queues deliver at least once), or a retry of a run thought to have failed. The later claim wins.
 */
export class StatusConflictError extends Error {
  override readonly name = 'StatusConflictError';
}

export interface StatusStore {
  get(source: InputSource, inputId: string): Promise<StoredStatus | undefined>;
  /**
   * Writes the row only if it is still at `etag` (no etag: only if there is no row yet) and returns its new ETag;
   * throws StatusConflictError if another execution wrote it meanwhile.
   */
  save(status: InputStatus, etag: string | undefined): Promise<string>;
}

/** Input ids are paths and URLs, which row keys cannot hold: the row keeps `inputId` in readable form. */
export function statusRowKey(inputId: string): string {
  return tableKey(inputId);
}

/**
 * A table string property holds 64 KiB of UTF-16, and an error message can be far longer (a schema error lists
 * every issue): a row with it whole would be refused, so the failure would go unrecorded and the input never be
 * poisoned. The row keeps its start and says it was cut.
 */
const MAX_ERROR_CHARS = 16_000;

function storedError(error: string | undefined): string | undefined {
  return error && error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}… (cut)` : error;
}

/** One row per input in Table storage: partition = source, row = hash of the input id. */
export class TableStatusStore implements StatusStore {
  constructor(private readonly table: TableClient) {}

  async get(source: InputSource, inputId: string): Promise<StoredStatus | undefined> {
    await ensureTable(this.table);
    const entity = await entityOrUndefined<InputStatus & { writeId?: string }>(this.table, source, statusRowKey(inputId));
    if (!entity) return undefined;
    const { writeId: _writeId, ...row } = entity;
    return { ...row, source, inputId: entity.inputId, etag: entity.etag };
  }

  async save(status: InputStatus, etag: string | undefined): Promise<string> {
    await ensureTable(this.table);
    // Every write is told apart by an id of its own (see below).
    const writeId = randomUUID();
    const entity = { partitionKey: status.source, rowKey: statusRowKey(status.inputId), ...status, error: storedError(status.error), writeId };
    try {
      const response = etag ? await this.table.updateEntity(entity, 'Replace', { etag }) : await this.table.createEntity(entity);
      return response.etag!;
    } catch (error) {
      // 412: the row changed since `etag`; 409: a row was created since it was read as missing. Or the write itself
      // landed, lost its response (a timeout, a dropped connection) and the SDK's resend met the row it left: taken
      // for another execution's, the input would be left unfinished (neither archived, nor retried, nor poisoned).
      if (hasStatus(error, 412, 409)) {
        const stored = await entityOrUndefined<{ writeId?: string }>(this.table, entity.partitionKey, entity.rowKey);
        if (stored?.writeId === writeId) return stored.etag;
        throw new StatusConflictError(`another execution updated the status of ${status.inputId}`, { cause: error });
      }
      throw error;
    }
  }
}
