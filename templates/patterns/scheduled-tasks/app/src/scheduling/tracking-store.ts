import { RestError, type GetTableEntityResponse, type TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { ensureTable } from '../shared/storage-clients.js';

export type RunOutcome = 'running' | 'succeeded' | 'failed' | 'skipped';

/** One attempt of one scheduled occurrence of a job: what the run history and the alerts are made of. */
export interface RunRecord {
  job: string;
  /** The occurrence the run belongs to (UTC), shared by its retries. */
  scheduledTime: Date;
  /** 0 for the first attempt, then the host's retry count. */
  attempt: number;
  startedAt: Date;
  /** The last sign of life of a running run (refreshed while its work goes on); a silent one has died. */
  heartbeatAt?: Date;
  endedAt?: Date;
  durationMs?: number;
  outcome: RunOutcome;
  error?: string;
  isPastDue: boolean;
  invocationId: string;
}

/**
 * The version of a run record as this execution last wrote it (the table row's ETag). The execution's later
 * writes to the record are conditional on it: once another execution has changed the record (it judged this
 * one dead and took the run over), they fail instead of overwriting what that execution recorded.
 */
export type RunVersion = string;

export interface RunStore {
  /**
   * Records a starting run and returns its version. Undefined when this job, occurrence and attempt is already
   * recorded: another execution got there first (which the platform's singleton lock should make impossible),
   * or an earlier execution of it ended without recording its outcome.
   */
  start(record: RunRecord): Promise<RunVersion | undefined>;
  /**
   * Writes the final state of a run (or a skipped run) over its record, if that is still at `version`; false
   * when another execution has changed it since (and so owns the run now).
   */
  finish(record: RunRecord, version: RunVersion): Promise<boolean>;
  /**
   * Replaces a record only if it is still the one read as `expected` (same invocation, outcome and heartbeat)
   * and returns its new version; undefined when another execution changed it first. Of several executions
   * replacing the same record, one wins.
   */
  replace(expected: RunRecord, next: RunRecord): Promise<RunVersion | undefined>;
  /**
   * Records that a running run is still alive, if its record is still at `version`, and returns the new
   * version; undefined when another execution has changed it since.
   */
  heartbeat(record: RunRecord, at: Date, version: RunVersion): Promise<RunVersion | undefined>;
  get(job: string, scheduledTime: Date, attempt: number): Promise<RunRecord | undefined>;
  /** Every recorded attempt of one occurrence of a job, first attempt first. */
  attempts(job: string, scheduledTime: Date): Promise<RunRecord[]>;
  /** The runs of a job, oldest first (`since`: from that UTC day on; `until`: before that one; YYYY-MM-DD). */
  list(job: string, since?: string, until?: string): Promise<RunRecord[]>;
  /** The UTC day (YYYY-MM-DD) of the oldest recorded run of a job. */
  earliestDay(job: string): Promise<string | undefined>;
  /** Deletes every run of a job scheduled on a UTC day; returns how many went. */
  deleteDay(job: string, day: string): Promise<number>;
}

/** The last completed unit of work per job, so a retry or the next run continues where the last one stopped. */
export interface CheckpointStore {
  read(job: string): Promise<string | undefined>;
  write(job: string, position: string): Promise<void>;
}

interface RunEntity {
  partitionKey: string;
  rowKey: string;
  scheduledTime: string;
  attempt: number;
  startedAt: string;
  heartbeatAt?: string;
  endedAt?: string;
  durationMs?: number;
  outcome: RunOutcome;
  error?: string;
  isPastDue: boolean;
  invocationId: string;
}

// Table rows are limited to 64 KiB per string property; a stack trace never needs more than this.
const MAX_ERROR_LENGTH = 8000;

/**
 * Runs in Table storage: partition = job, row = occurrence (ISO, so rows sort by time) + attempt. Keys make
 * "the runs of a job on a day" a range query and a duplicate execution an insert conflict. Bicep creates the
 * tables in Azure; locally (Azurite) the first use does.
 */
export class TableRunStore implements RunStore {
  constructor(private readonly table: TableClient) {}

  async start(record: RunRecord): Promise<RunVersion | undefined> {
    await ensureTable(this.table);
    try {
      return etagOf(await this.table.createEntity(toEntity(record)));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 409) return undefined;
      throw error;
    }
  }

  async finish(record: RunRecord, version: RunVersion): Promise<boolean> {
    await ensureTable(this.table);
    return (await this.updateIfUnchanged(toEntity(record), 'Replace', version)) !== undefined;
  }

  async replace(expected: RunRecord, next: RunRecord): Promise<RunVersion | undefined> {
    await ensureTable(this.table);
    const key = runRowKey(expected.scheduledTime, expected.attempt);
    let current: GetTableEntityResponse<TableEntityResult<RunEntity>>;
    try {
      current = await this.table.getEntity<RunEntity>(expected.job, key);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
    if (!sameVersion(fromEntity(current), expected)) return undefined;
    return this.updateIfUnchanged(toEntity(next), 'Replace', etagOf(current));
  }

  async heartbeat(record: RunRecord, at: Date, version: RunVersion): Promise<RunVersion | undefined> {
    await ensureTable(this.table);
    const key = { partitionKey: record.job, rowKey: runRowKey(record.scheduledTime, record.attempt) };
    return this.updateIfUnchanged({ ...key, heartbeatAt: at.toISOString() }, 'Merge', version);
  }

  /** If-Match on `etag`: a write by anyone else since makes this one fail with 412 (404 once deleted). */
  private async updateIfUnchanged(entity: Partial<RunEntity> & { partitionKey: string; rowKey: string }, mode: 'Merge' | 'Replace', etag: RunVersion): Promise<RunVersion | undefined> {
    try {
      return etagOf(await this.table.updateEntity(entity, mode, { etag }));
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 412 || error.statusCode === 404)) return undefined;
      throw error;
    }
  }

  async attempts(job: string, scheduledTime: Date): Promise<RunRecord[]> {
    await ensureTable(this.table);
    const occurrence = scheduledTime.toISOString();
    const filter = `PartitionKey eq ${quote(job)} and RowKey ge ${quote(`${occurrence}_`)} and RowKey lt ${quote(`${occurrence}~`)}`;
    const records: RunRecord[] = [];
    for await (const entity of this.table.listEntities<RunEntity>({ queryOptions: { filter } })) records.push(fromEntity(entity as RunEntity));
    return records;
  }

  async get(job: string, scheduledTime: Date, attempt: number): Promise<RunRecord | undefined> {
    await ensureTable(this.table);
    try {
      return fromEntity(await this.table.getEntity<RunEntity>(job, runRowKey(scheduledTime, attempt)));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async list(job: string, since?: string, until?: string): Promise<RunRecord[]> {
    await ensureTable(this.table);
    const filter = [
      `PartitionKey eq ${quote(job)}`,
      ...(since === undefined ? [] : [`RowKey ge ${quote(since)}`]),
      ...(until === undefined ? [] : [`RowKey lt ${quote(until)}`]),
    ].join(' and ');
    const records: RunRecord[] = [];
    for await (const entity of this.table.listEntities<RunEntity>({ queryOptions: { filter } })) records.push(fromEntity(entity as RunEntity));
    return records;
  }

  async earliestDay(job: string): Promise<string | undefined> {
    await ensureTable(this.table);
    const pages = this.table.listEntities<RunEntity>({ queryOptions: { filter: `PartitionKey eq ${quote(job)}`, select: ['RowKey'] } }).byPage({ maxPageSize: 1 });
    for await (const page of pages) return page[0]?.rowKey?.slice(0, 10);
    return undefined;
  }

  async deleteDay(job: string, day: string): Promise<number> {
    await ensureTable(this.table);
    const filter = `PartitionKey eq ${quote(job)} and RowKey ge ${quote(day)} and RowKey lt ${quote(nextDay(day))}`;
    const keys: string[] = [];
    for await (const entity of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) keys.push(entity.rowKey!);
    // A transaction holds at most 100 operations on one partition.
    for (let i = 0; i < keys.length; i += 100) {
      const actions: TransactionAction[] = keys.slice(i, i + 100).map((rowKey) => ['delete', { partitionKey: job, rowKey }]);
      await this.table.submitTransaction(actions);
    }
    return keys.length;
  }
}

export class TableCheckpointStore implements CheckpointStore {
  constructor(private readonly table: TableClient) {}

  async read(job: string): Promise<string | undefined> {
    await ensureTable(this.table);
    try {
      return (await this.table.getEntity<{ position: string }>('checkpoint', job)).position;
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async write(job: string, position: string): Promise<void> {
    await ensureTable(this.table);
    await this.table.upsertEntity({ partitionKey: 'checkpoint', rowKey: job, position, updatedAt: new Date().toISOString() }, 'Replace');
  }
}

function etagOf(response: { etag?: string }): RunVersion {
  if (response.etag === undefined) throw new Error('Table storage returned no ETag for a run record');
  return response.etag;
}

/** The row key: the occurrence in ISO form then the attempt, zero-padded so attempts sort too. */
export function runRowKey(scheduledTime: Date, attempt: number): string {
  return `${scheduledTime.toISOString()}_${String(attempt).padStart(3, '0')}`;
}

function toEntity(record: RunRecord): RunEntity {
  return {
    partitionKey: record.job,
    rowKey: runRowKey(record.scheduledTime, record.attempt),
    scheduledTime: record.scheduledTime.toISOString(),
    attempt: record.attempt,
    startedAt: record.startedAt.toISOString(),
    ...(record.heartbeatAt && { heartbeatAt: record.heartbeatAt.toISOString() }),
    ...(record.endedAt && { endedAt: record.endedAt.toISOString() }),
    ...(record.durationMs !== undefined && { durationMs: record.durationMs }),
    outcome: record.outcome,
    ...(record.error !== undefined && { error: record.error.slice(0, MAX_ERROR_LENGTH) }),
    isPastDue: record.isPastDue,
    invocationId: record.invocationId,
  };
}

function fromEntity(entity: RunEntity): RunRecord {
  return {
    job: entity.partitionKey,
    scheduledTime: new Date(entity.scheduledTime),
    attempt: entity.attempt,
    startedAt: new Date(entity.startedAt),
    ...(entity.heartbeatAt && { heartbeatAt: new Date(entity.heartbeatAt) }),
    ...(entity.endedAt && { endedAt: new Date(entity.endedAt) }),
    ...(entity.durationMs !== undefined && { durationMs: entity.durationMs }),
    outcome: entity.outcome,
    ...(entity.error !== undefined && { error: entity.error }),
    isPastDue: entity.isPastDue,
    invocationId: entity.invocationId,
  };
}

/** Whether a stored record is still the one read earlier: what a takeover decided on has not changed since. */
export function sameVersion(stored: RunRecord, expected: RunRecord): boolean {
  return (
    runRowKey(stored.scheduledTime, stored.attempt) === runRowKey(expected.scheduledTime, expected.attempt) &&
    stored.outcome === expected.outcome &&
    stored.invocationId === expected.invocationId &&
    stored.heartbeatAt?.getTime() === expected.heartbeatAt?.getTime()
  );
}

/** An OData string literal: single quotes doubled. */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
