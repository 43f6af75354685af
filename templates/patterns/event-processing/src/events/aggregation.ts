import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { deleteWhere, ensureTable, entityOrUndefined, hasStatus, tableKey } from '../shared/storage-clients.js';
import type { EventKey } from './idempotency.js';

/** Start of the fixed (tumbling) window `time` falls in, e.g. 10:07 → 10:05 for 5-minute windows. */
export function windowStart(time: Date, windowMinutes: number): Date {
  const size = windowMinutes * 60_000;
  return new Date(Math.floor(time.getTime() / size) * size);
}

export interface AggregateContribution {
  key: string;
  windowStart: Date;
  /** The event that contributes; it is counted once however often it is delivered. */
  event: EventKey;
  value: number;
}

export interface WindowAggregate {
  key: string;
  windowStart: Date;
  count: number;
  sum: number;
}

export interface AggregationStore {
  add(contribution: AggregateContribution): Promise<void>;
  get(key: string, windowStart: Date): Promise<WindowAggregate | undefined>;
  /**
   * Deletes the markers of events counted before `before`; the totals stay. Run with the idempotency TTL: a
   * duplicate that old is no longer recognised as one anyway. Returns how many went.
   */
  purgeMarkers(before: Date): Promise<number>;
  /** Deletes the totals of windows that started before `before` (run with AGGREGATION.retentionDays); returns how many went. */
  purgeTotals(before: Date): Promise<number>;
}

interface TotalEntity {
  partitionKey: string;
  rowKey: string;
  key: string;
  count: number;
  sum: number;
}

const MAX_ATTEMPTS = 10;
// Marker rows are `event|<hash of source and id>`; '}' sorts right after '|', so the range holds every marker and
// no total.
const MARKER_PREFIX = 'event|';
const AFTER_MARKERS = 'event}';
const TOTAL_PREFIX = 'total|';

/**
 * Counts and sums per key per window in Table storage, one partition per key (as a tableKey: keys are event data,
 * any text) holding a total row per window.
 * Each contribution is one entity-group transaction: a marker row for the event plus the updated total, guarded by
 * the total's ETag. The marker makes a redelivered event a no-op (exactly-once counting), the ETag makes concurrent
 * instances retry instead of overwriting each other. The marker is per key, not per window: an event without
 * `time` is windowed by when it is received, so its retry can land in the next window and must still count once.
 */
export class TableAggregationStore implements AggregationStore {
  constructor(private readonly table: TableClient) {}

  async add({ key, windowStart, event, value }: AggregateContribution): Promise<void> {
    await ensureTable(this.table);
    const partitionKey = tableKey(key);
    const totalRow = totalRowKey(windowStart);
    // Ids are unique per source: as JSON, no (source, id) pair spells another one.
    const marker = { partitionKey, rowKey: `${MARKER_PREFIX}${tableKey(JSON.stringify([event.source, event.id]))}` };
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (await this.exists(marker.partitionKey, marker.rowKey)) return;
      const total = await this.total(partitionKey, totalRow);
      const actions: TransactionAction[] = [
        ['create', marker],
        total
          ? ['update', { partitionKey, rowKey: totalRow, key, count: total.count + 1, sum: total.sum + value }, 'Replace', { etag: total.etag }]
          : ['create', { partitionKey, rowKey: totalRow, key, count: 1, sum: value }],
      ];
      try {
        await this.table.submitTransaction(actions);
        return;
      } catch (error) {
        // 409: the marker or the first total appeared meanwhile; 412: another instance updated the total.
        if (!hasStatus(error, 409, 412)) throw error;
      }
    }
    throw new Error(`aggregate ${partitionKey} ${totalRow} stayed contended after ${MAX_ATTEMPTS} attempts`);
  }

  async get(key: string, start: Date): Promise<WindowAggregate | undefined> {
    await ensureTable(this.table);
    const total = await this.total(tableKey(key), totalRowKey(start));
    return total && { key, windowStart: start, count: total.count, sum: total.sum };
  }

  async purgeMarkers(before: Date): Promise<number> {
    await ensureTable(this.table);
    // A marker is written once, so its Timestamp (set by the service on every write) is when its event was counted.
    return deleteWhere(this.table, odata`RowKey ge ${MARKER_PREFIX} and RowKey lt ${AFTER_MARKERS} and Timestamp lt ${before}`);
  }

  async purgeTotals(before: Date): Promise<number> {
    await ensureTable(this.table);
    // Total rows sort by window start within `total|…`, so the range below `before` is every older window.
    return deleteWhere(this.table, odata`RowKey ge ${TOTAL_PREFIX} and RowKey lt ${totalRowKey(before)}`);
  }

  private total(partitionKey: string, rowKey: string): Promise<(TotalEntity & { etag: string }) | undefined> {
    return entityOrUndefined<TotalEntity>(this.table, partitionKey, rowKey);
  }

  private async exists(partitionKey: string, rowKey: string): Promise<boolean> {
    return (await entityOrUndefined(this.table, partitionKey, rowKey, ['RowKey'])) !== undefined;
  }
}

function totalRowKey(start: Date): string {
  return `${TOTAL_PREFIX}${start.toISOString()}`;
}
