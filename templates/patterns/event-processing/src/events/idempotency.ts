import { odata, type TableClient } from '@azure/data-tables';
import { deleteWhere, ensureTable, entityOrUndefined, tableKey } from '../shared/storage-clients.js';

/**
 * The longest text a row keeps in a column: Table storage holds a string property of up to 64 KiB of UTF-16, which
 * is 32,768 JavaScript string units. An event's source and id (and an aggregation key) are kept beside their hash.
 */
export const MAX_STORED_TEXT = 32_768;

/** CloudEvents are unique by `source` + `id`. */
export interface EventKey {
  source: string;
  id: string;
}

/**
 * Delivery is at-least-once on every source: the same event can arrive twice (a lock expired, a checkpoint was
 * not written before a restart, a producer retried). Processed events are remembered for a while so a
 * duplicate is skipped instead of producing its effects twice.
 */
export interface IdempotencyStore {
  isProcessed(key: EventKey): Promise<boolean>;
  /** Called only once an event's effects are done, so a failed attempt is never mistaken for a processed one. */
  markProcessed(keys: readonly EventKey[]): Promise<void>;
  /** Deletes expired records (Table storage has no TTL of its own); returns how many went. */
  purgeExpired(): Promise<number>;
}

interface ProcessedRecord extends EventKey {
  partitionKey: string;
  rowKey: string;
  expiresAt: Date;
}

/**
 * Records in Table storage: partition = source, row = event id, both as a tableKey (any text, however long), with
 * the source and id themselves beside them.
 */
// Infra creates the table in Azure; creating it on first use keeps local runs against Azurite working.
export class TableIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly table: TableClient,
    /** How long a duplicate is recognised; longer than any redelivery window of the sources. */
    private readonly ttlMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async isProcessed(key: EventKey): Promise<boolean> {
    await ensureTable(this.table);
    const record = await entityOrUndefined<ProcessedRecord>(this.table, tableKey(key.source), tableKey(key.id), ['expiresAt']);
    return record !== undefined && new Date(record.expiresAt).getTime() > this.now().getTime();
  }

  async markProcessed(keys: readonly EventKey[]): Promise<void> {
    if (keys.length === 0) return;
    await ensureTable(this.table);
    const expiresAt = new Date(this.now().getTime() + this.ttlMs);
    await Promise.all(
      keys.map(({ source, id }) => this.table.upsertEntity<ProcessedRecord>({ partitionKey: tableKey(source), rowKey: tableKey(id), source, id, expiresAt }, 'Replace')),
    );
  }

  async purgeExpired(): Promise<number> {
    await ensureTable(this.table);
    // A busy source expires millions of records a day: deleted in transactions, not a request per row.
    return deleteWhere(this.table, odata`expiresAt le ${this.now()}`);
  }
}
