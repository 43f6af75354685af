import type { TableClient, TransactionAction } from '@azure/data-tables';
import { deleteWhere, ensureTable, entityOrUndefined, hasStatus } from '../shared/storage-clients.js';

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
   * Records an execution's attempt of an occurrence and writes `closed` over the dead runs it takes over, in one
   * transaction that fails if any record of the occurrence is no longer as `seen` read it (or a record was added):
   * of several executions claiming one occurrence from the same state, exactly one succeeds. The attempt replaces
   * an earlier record of its own (failed, or dead and taken over). Returns its version; undefined when the
   * occurrence changed first.
   */
  claim(record: RunRecord, seen: readonly RunRecord[], closed: readonly RunRecord[]): Promise<RunVersion | undefined>;
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

/**
 * The version of a job's checkpoint as the execution that claimed it last wrote it (the row's ETag). Only the
 * holder of the current version moves the checkpoint, and every claim makes a new one: an execution that was
 * paused and taken over cannot write an older position over the one its successor has reached since.
 */
export type CheckpointVersion = string;

export interface CheckpointClaim {
  /** The last completed unit of work; undefined before the job's first one. */
  position: string | undefined;
  version: CheckpointVersion;
}

/** The last completed unit of work per job, so a retry or the next run continues where the last one stopped. */
export interface CheckpointStore {
  /** Takes the job's checkpoint over for `owner` (an invocation id): every earlier claim's version stops working. */
  claim(job: string, owner: string): Promise<CheckpointClaim>;
  /**
   * Moves the checkpoint of `owner` (the claim's invocation id) to `position` if it is still at `version` and returns
   * the new version; undefined once another execution has claimed it since.
   */
  write(job: string, owner: string, position: string, version: CheckpointVersion): Promise<CheckpointVersion | undefined>;
}

// A type, not an interface: transaction actions take entities as records of values, which an interface is not.
type RunEntity = {
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
};

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
    const entity = toEntity(record);
    return (await etagUnless(this.table.createEntity(entity), ALREADY_EXISTS)) ?? etagIfLanded(this.table, entity);
  }

  async finish(record: RunRecord, version: RunVersion): Promise<boolean> {
    await ensureTable(this.table);
    return (await updateIfUnchanged(this.table, toEntity(record), 'Replace', version)) !== undefined;
  }

  async claim(record: RunRecord, seen: readonly RunRecord[], closed: readonly RunRecord[]): Promise<RunVersion | undefined> {
    await ensureTable(this.table);
    const stored = await this.occurrenceEntities(record.job, record.scheduledTime);
    if (!sameRecords(stored.map(fromEntity), seen)) return undefined;
    const own = toEntity(record);
    const closing = new Map(closed.map((run) => [runRowKey(run.scheduledTime, run.attempt), toEntity(run)]));
    const ownStored = stored.find((entity) => entity.rowKey === own.rowKey);
    const actions: TransactionAction[] = [
      ownStored ? ['update', own, 'Replace', { etag: etagOf(ownStored) }] : ['create', own],
      // Every other record is written too, closed or unchanged, each conditional on its ETag as read.
      ...stored
        .filter((entity) => entity !== ownStored)
        .map((entity): TransactionAction => {
          const closes = closing.get(entity.rowKey);
          const unchangedOutcome = { partitionKey: entity.partitionKey, rowKey: entity.rowKey, outcome: entity.outcome };
          return closes ? ['update', closes, 'Replace', { etag: etagOf(entity) }] : ['update', unchangedOutcome, 'Merge', { etag: etagOf(entity) }];
        }),
    ];
    try {
      const { subResponses } = await this.table.submitTransaction(actions);
      return subResponses[0]?.etag ?? (await etagIfLanded(this.table, own));
    } catch (error) {
      // Refused because a record changed, or because it landed and its lost response was resent.
      if (hasStatus(error, ...CHANGED_SINCE, ...ALREADY_EXISTS)) return etagIfLanded(this.table, own);
      throw error;
    }
  }

  async replace(expected: RunRecord, next: RunRecord): Promise<RunVersion | undefined> {
    await ensureTable(this.table);
    const current = await entityOrUndefined<RunEntity>(this.table, expected.job, runRowKey(expected.scheduledTime, expected.attempt));
    if (!current || !sameVersion(fromEntity(current), expected)) return undefined;
    return updateIfUnchanged(this.table, toEntity(next), 'Replace', etagOf(current));
  }

  async heartbeat(record: RunRecord, at: Date, version: RunVersion): Promise<RunVersion | undefined> {
    await ensureTable(this.table);
    const key = { partitionKey: record.job, rowKey: runRowKey(record.scheduledTime, record.attempt) };
    // Owner and outcome are rewritten unchanged, so a heartbeat read back is recognised as this execution's.
    return updateIfUnchanged(this.table, { ...key, heartbeatAt: at.toISOString(), outcome: 'running', invocationId: record.invocationId }, 'Merge', version);
  }

  async attempts(job: string, scheduledTime: Date): Promise<RunRecord[]> {
    await ensureTable(this.table);
    return (await this.occurrenceEntities(job, scheduledTime)).map(fromEntity);
  }

  async get(job: string, scheduledTime: Date, attempt: number): Promise<RunRecord | undefined> {
    await ensureTable(this.table);
    const entity = await entityOrUndefined<RunEntity>(this.table, job, runRowKey(scheduledTime, attempt));
    return entity && fromEntity(entity);
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
    // A page may come back empty with a continuation (the service's time limit): the first row is on a later one.
    for await (const page of pages) if (page.length > 0) return page[0]!.rowKey?.slice(0, 10);
    return undefined;
  }

  async deleteDay(job: string, day: string): Promise<number> {
    await ensureTable(this.table);
    return deleteWhere(this.table, `PartitionKey eq ${quote(job)} and RowKey ge ${quote(day)} and RowKey lt ${quote(nextDay(day))}`);
  }

  /** The rows of every attempt of one occurrence, with their ETags. */
  private async occurrenceEntities(job: string, scheduledTime: Date): Promise<Array<RunEntity & { etag: string }>> {
    const occurrence = scheduledTime.toISOString();
    const filter = `PartitionKey eq ${quote(job)} and RowKey ge ${quote(`${occurrence}_`)} and RowKey lt ${quote(`${occurrence}~`)}`;
    const entities: Array<RunEntity & { etag: string }> = [];
    for await (const entity of this.table.listEntities<RunEntity>({ queryOptions: { filter } })) entities.push(entity);
    return entities;
  }
}

interface CheckpointEntity {
  partitionKey: string;
  rowKey: string;
  position?: string;
  /** The invocation that claimed the checkpoint last: who may move it now. */
  owner: string;
}

const CHECKPOINT_PARTITION = 'checkpoint';
// A claim fails only when another execution wrote the row between its read and its write; it then claims again.
const MAX_CLAIM_ATTEMPTS = 5;

/** Checkpoints in Table storage: one row per job, every move conditional on the ETag of its owner's last write. */
export class TableCheckpointStore implements CheckpointStore {
  constructor(private readonly table: TableClient) {}

  async claim(job: string, owner: string): Promise<CheckpointClaim> {
    await ensureTable(this.table);
    for (let attempt = 1; ; attempt++) {
      const current = await entityOrUndefined<CheckpointEntity>(this.table, CHECKPOINT_PARTITION, job);
      const position = current?.position;
      const entity: CheckpointEntity = { partitionKey: CHECKPOINT_PARTITION, rowKey: job, ...(position !== undefined && { position }), owner };
      const version = await (current
        ? etagUnless(this.table.updateEntity(entity, 'Replace', { etag: current.etag }), CHANGED_SINCE)
        : etagUnless(this.table.createEntity(entity), ALREADY_EXISTS));
      if (version !== undefined) return { position, version };
      if (attempt === MAX_CLAIM_ATTEMPTS) throw new Error(`the checkpoint of ${job} changed under each of ${MAX_CLAIM_ATTEMPTS} claims`);
    }
  }

  async write(job: string, owner: string, position: string, version: CheckpointVersion): Promise<CheckpointVersion | undefined> {
    await ensureTable(this.table);
    // The owner is rewritten unchanged, so a move read back is recognised as this owner's.
    return updateIfUnchanged(this.table, { partitionKey: CHECKPOINT_PARTITION, rowKey: job, position, owner }, 'Merge', version);
  }
}

/** A write conditional on `etag`; undefined when another execution changed the row since. */
async function updateIfUnchanged<T extends { partitionKey: string; rowKey: string }>(table: TableClient, entity: T, mode: 'Merge' | 'Replace', etag: string): Promise<string | undefined> {
  return (await etagUnless(table.updateEntity(entity, mode, { etag }), CHANGED_SINCE)) ?? etagIfLanded(table, entity);
}

/**
 * After a refused insert or conditional write, which can be the write's own doing (it landed, its response was
 * lost, and the SDK's resend met the row it left): the row's ETag when it holds every value the write wrote.
 */
async function etagIfLanded(table: TableClient, entity: { partitionKey: string; rowKey: string }): Promise<string | undefined> {
  const stored = await entityOrUndefined<Record<string, unknown>>(table, entity.partitionKey, entity.rowKey);
  const landed = stored !== undefined && Object.entries(entity).every(([name, value]) => stored[name] === value);
  return landed ? etagOf(stored) : undefined;
}

function etagOf(response: { etag?: string }): string {
  if (response.etag === undefined) throw new Error('Table storage returned no ETag');
  return response.etag;
}

// Why a conditional write was refused: the row was written by anyone else since the ETag given (412) or deleted
// (404); or, for an insert, the row exists already (409).
const CHANGED_SINCE = [412, 404];
const ALREADY_EXISTS = [409];

/** The new ETag of a conditional write; undefined when Table storage refused it for one of `refusals`. */
async function etagUnless(write: Promise<{ etag?: string }>, refusals: readonly number[]): Promise<string | undefined> {
  try {
    return etagOf(await write);
  } catch (error) {
    if (hasStatus(error, ...refusals)) return undefined;
    throw error;
  }
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

/** Whether the records of an occurrence are still those read as `seen`: none changed, none added or deleted. */
export function sameRecords(stored: readonly RunRecord[], seen: readonly RunRecord[]): boolean {
  return stored.length === seen.length && stored.every((record) => seen.some((run) => sameVersion(record, run)));
}

/** An OData string literal: single quotes doubled. */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
