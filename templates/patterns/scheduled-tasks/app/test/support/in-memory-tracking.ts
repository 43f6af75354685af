import { InvocationContext, type Timer } from '@azure/functions';
import type { JobDependencies } from '../../src/scheduling/scheduled-job.js';
import type { JobTelemetry, RunReport } from '../../src/scheduling/telemetry.js';
import { nextDay, runRowKey, sameRecords, sameVersion, type CheckpointClaim, type CheckpointStore, type CheckpointVersion, type RunRecord, type RunStore, type RunVersion } from '../../src/scheduling/tracking-store.js';

/** RunStore with the Table store's semantics (insert conflicts, ETags, day ranges), in memory. */
export class InMemoryRunStore implements RunStore {
  readonly rows = new Map<string, RunRecord>();
  private readonly versions = new Map<string, RunVersion>();
  private writes = 0;

  async start(record: RunRecord): Promise<RunVersion | undefined> {
    const key = this.key(record.job, record.scheduledTime, record.attempt);
    if (this.rows.has(key)) return undefined;
    return this.write(key, record);
  }

  async finish(record: RunRecord, version: RunVersion): Promise<boolean> {
    const key = this.key(record.job, record.scheduledTime, record.attempt);
    if (this.versions.get(key) !== version) return false;
    this.write(key, record);
    return true;
  }

  async claim(record: RunRecord, seen: readonly RunRecord[], closed: readonly RunRecord[]): Promise<RunVersion | undefined> {
    // Checked and written without an await in between: one transaction, as in Table storage.
    const stored = this.occurrenceRows(record.job, record.scheduledTime);
    if (!sameRecords(stored, seen)) return undefined;
    // Every record of the occurrence gets a new version, as the Table store's transaction writes them all.
    for (const row of stored) this.write(this.key(row.job, row.scheduledTime, row.attempt), closed.find((run) => run.attempt === row.attempt) ?? row);
    return this.write(this.key(record.job, record.scheduledTime, record.attempt), record);
  }

  async replace(expected: RunRecord, next: RunRecord): Promise<RunVersion | undefined> {
    const key = this.key(expected.job, expected.scheduledTime, expected.attempt);
    const current = this.rows.get(key);
    if (!current || !sameVersion(current, expected)) return undefined;
    return this.write(key, next);
  }

  async heartbeat(record: RunRecord, at: Date, version: RunVersion): Promise<RunVersion | undefined> {
    const key = this.key(record.job, record.scheduledTime, record.attempt);
    const row = this.rows.get(key);
    if (!row || this.versions.get(key) !== version) return undefined;
    return this.write(key, { ...row, heartbeatAt: at });
  }

  async get(job: string, scheduledTime: Date, attempt: number): Promise<RunRecord | undefined> {
    return this.rows.get(this.key(job, scheduledTime, attempt));
  }

  async attempts(job: string, scheduledTime: Date): Promise<RunRecord[]> {
    return this.occurrenceRows(job, scheduledTime);
  }

  async list(job: string, since?: string, until?: string): Promise<RunRecord[]> {
    return this.rowsOf(job, since, until);
  }

  async earliestDay(job: string): Promise<string | undefined> {
    return (await this.list(job))[0]?.scheduledTime.toISOString().slice(0, 10);
  }

  async deleteDay(job: string, day: string): Promise<number> {
    const doomed = await this.list(job, day, nextDay(day));
    for (const record of doomed) {
      const key = this.key(job, record.scheduledTime, record.attempt);
      this.rows.delete(key);
      this.versions.delete(key);
    }
    return doomed.length;
  }

  /** Stores a row under a new version, as Table storage gives every write a new ETag. */
  private write(key: string, record: RunRecord): RunVersion {
    const version = `v${++this.writes}`;
    this.rows.set(key, { ...record });
    this.versions.set(key, version);
    return version;
  }

  private rowsOf(job: string, since?: string, until?: string): RunRecord[] {
    const inRange = (rowKey: string) => (since === undefined || rowKey >= since) && (until === undefined || rowKey < until);
    return [...this.rows.entries()]
      .filter(([key]) => key.startsWith(`${job}|`) && inRange(key.slice(job.length + 1)))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, record]) => record);
  }

  private occurrenceRows(job: string, scheduledTime: Date): RunRecord[] {
    return this.rowsOf(job).filter((record) => record.scheduledTime.getTime() === scheduledTime.getTime());
  }

  private key(job: string, scheduledTime: Date, attempt: number): string {
    return `${job}|${runRowKey(scheduledTime, attempt)}`;
  }
}

/** CheckpointStore with the Table store's semantics (every claim and write a new version), in memory. */
export class InMemoryCheckpointStore implements CheckpointStore {
  readonly positions = new Map<string, string>();
  readonly owners = new Map<string, string>();
  private readonly versions = new Map<string, CheckpointVersion>();
  private writes = 0;

  async claim(job: string, owner: string): Promise<CheckpointClaim> {
    this.owners.set(job, owner);
    return { position: this.positions.get(job), version: this.newVersion(job) };
  }

  async write(job: string, owner: string, position: string, version: CheckpointVersion): Promise<CheckpointVersion | undefined> {
    if (this.versions.get(job) !== version || this.owners.get(job) !== owner) return undefined;
    this.positions.set(job, position);
    return this.newVersion(job);
  }

  private newVersion(job: string): CheckpointVersion {
    const version = `c${++this.writes}`;
    this.versions.set(job, version);
    return version;
  }
}

export class RecordingTelemetry implements JobTelemetry {
  readonly runs: RunRecord[] = [];
  readonly finals: boolean[] = [];
  readonly operationIds: (string | undefined)[] = [];
  async trackRun(record: RunRecord, { final, operationId }: RunReport) {
    this.runs.push(record);
    this.finals.push(final);
    this.operationIds.push(operationId);
  }
}

/** A clock tests move by hand, and dependencies wired to the in-memory stores. */
export function testDependencies(start: Date) {
  let now = start.getTime();
  const dependencies = {
    runs: new InMemoryRunStore(),
    checkpoints: new InMemoryCheckpointStore(),
    telemetry: new RecordingTelemetry(),
    clock: () => new Date(now),
  } satisfies JobDependencies;
  return {
    ...dependencies,
    dependencies,
    setNow: (instant: Date) => (now = instant.getTime()),
    advance: (ms: number) => (now += ms),
  };
}

/** The Timer the host passes; `scheduledFor`: the occurrence it fired for (its schedule status), if given. */
export function timer(isPastDue = false, scheduledFor?: Date): Timer {
  const next = scheduledFor?.toISOString() ?? '';
  return { isPastDue, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next, lastUpdated: '' } };
}

/** A real InvocationContext whose logs are kept, with the host's retry count when it is a retry and its trace context. */
export function invocation(options: { retryCount?: number; invocationId?: string; traceParent?: string } = {}) {
  const logs: { level: string; message: string }[] = [];
  const context = new InvocationContext({
    invocationId: options.invocationId ?? 'invocation-1',
    functionName: 'job',
    logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(' ') }),
    ...(options.retryCount !== undefined && { retryContext: { retryCount: options.retryCount, maxRetryCount: 4 } }),
    ...(options.traceParent !== undefined && { traceContext: { traceParent: options.traceParent } }),
  });
  return { context, logs };
}
