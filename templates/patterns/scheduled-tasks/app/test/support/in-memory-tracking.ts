import { InvocationContext, type Timer } from '@azure/functions';
import type { JobDependencies } from '../../src/scheduling/scheduled-job.js';
import type { JobTelemetry } from '../../src/scheduling/telemetry.js';
import { nextDay, runRowKey, sameVersion, type CheckpointStore, type RunRecord, type RunStore } from '../../src/scheduling/tracking-store.js';

/** RunStore with the Table store's semantics (insert conflicts, day ranges), in memory. */
export class InMemoryRunStore implements RunStore {
  readonly rows = new Map<string, RunRecord>();

  async start(record: RunRecord): Promise<boolean> {
    const key = this.key(record.job, record.scheduledTime, record.attempt);
    if (this.rows.has(key)) return false;
    this.rows.set(key, { ...record });
    return true;
  }

  async finish(record: RunRecord): Promise<void> {
    this.rows.set(this.key(record.job, record.scheduledTime, record.attempt), { ...record });
  }

  async replace(expected: RunRecord, next: RunRecord): Promise<boolean> {
    const key = this.key(expected.job, expected.scheduledTime, expected.attempt);
    const current = this.rows.get(key);
    if (!current || !sameVersion(current, expected)) return false;
    this.rows.set(key, { ...next });
    return true;
  }

  async heartbeat(record: RunRecord, at: Date): Promise<void> {
    const row = this.rows.get(this.key(record.job, record.scheduledTime, record.attempt));
    if (row) row.heartbeatAt = at;
  }

  async get(job: string, scheduledTime: Date, attempt: number): Promise<RunRecord | undefined> {
    return this.rows.get(this.key(job, scheduledTime, attempt));
  }

  async attempts(job: string, scheduledTime: Date): Promise<RunRecord[]> {
    return (await this.list(job)).filter((record) => record.scheduledTime.getTime() === scheduledTime.getTime());
  }

  async list(job: string, since?: string): Promise<RunRecord[]> {
    return [...this.rows.entries()]
      .filter(([key]) => key.startsWith(`${job}|`) && (since === undefined || key.slice(job.length + 1) >= since))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, record]) => record);
  }

  async earliestDay(job: string): Promise<string | undefined> {
    return (await this.list(job))[0]?.scheduledTime.toISOString().slice(0, 10);
  }

  async deleteDay(job: string, day: string): Promise<number> {
    const doomed = (await this.list(job, day)).filter((record) => record.scheduledTime.toISOString() < nextDay(day));
    for (const record of doomed) this.rows.delete(this.key(job, record.scheduledTime, record.attempt));
    return doomed.length;
  }

  private key(job: string, scheduledTime: Date, attempt: number): string {
    return `${job}|${runRowKey(scheduledTime, attempt)}`;
  }
}

export class InMemoryCheckpointStore implements CheckpointStore {
  readonly positions = new Map<string, string>();
  async read(job: string) {
    return this.positions.get(job);
  }
  async write(job: string, position: string) {
    this.positions.set(job, position);
  }
}

export class RecordingTelemetry implements JobTelemetry {
  readonly runs: RunRecord[] = [];
  readonly operationIds: (string | undefined)[] = [];
  async trackRun(record: RunRecord, operationId?: string) {
    this.runs.push(record);
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
