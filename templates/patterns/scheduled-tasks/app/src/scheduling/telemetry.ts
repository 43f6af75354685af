import { customTelemetryFromEnvironment, noCustomTelemetry, type CustomTelemetry, type TelemetryItem } from '../shared/custom-telemetry.js';
import type { RunRecord } from './tracking-store.js';

/** What the runner knows of a run's outcome beyond its record. */
export interface RunReport {
  /**
   * No retry or other execution will change the occurrence's outcome: a success or skip, a failure of the last
   * attempt RETRY_POLICY allows, or one closed without a retry. The failed-run alert pages on final failures only.
   */
  final: boolean;
  /** The run's Application Insights OperationId (see `invocationOperationId`), when known. */
  operationId?: string;
}

/** Where run events and duration metrics go: Application Insights in Azure, nowhere locally. */
export interface JobTelemetry {
  trackRun(record: RunRecord, report: RunReport): Promise<void>;
}

/** The custom event every run emits; the alerts, queries and workbook read it from the AppEvents table. */
export const RUN_EVENT = 'ScheduledJobRun';
/** The custom metric of run durations (AppMetrics), split by job and outcome. */
export const DURATION_METRIC = 'ScheduledJobDurationMs';

/** Sends each run as a custom event and its duration as a custom metric, through the app's custom telemetry client. */
export class ApplicationInsightsTelemetry implements JobTelemetry {
  constructor(private readonly telemetry: CustomTelemetry) {}

  async trackRun(record: RunRecord, { final, operationId }: RunReport): Promise<void> {
    const time = record.endedAt ?? record.startedAt;
    const properties = {
      job: record.job,
      outcome: record.outcome,
      final: String(final),
      scheduledTime: record.scheduledTime.toISOString(),
      // With scheduledTime, how late the run started: past due by seconds is an idle app starting for its timer.
      startedAt: record.startedAt.toISOString(),
      attempt: String(record.attempt),
      isPastDue: String(record.isPastDue),
      invocationId: record.invocationId,
      ...(record.error !== undefined && { error: record.error.slice(0, 1000) }),
    };
    const items: TelemetryItem[] = [{ kind: 'event', name: RUN_EVENT, time, properties, measurements: { durationMs: record.durationMs ?? 0 }, operationId }];
    if (record.durationMs !== undefined) {
      items.push({ kind: 'metric', name: DURATION_METRIC, time, value: record.durationMs, properties: { job: record.job, outcome: record.outcome }, operationId });
    }
    await this.telemetry.send(items);
  }
}

/** Without a connection string (tests, `func start` without Azure) runs are still recorded in Table storage. */
export const noTelemetry: JobTelemetry = { trackRun: async () => undefined };

export function telemetryFromEnvironment(settings: Readonly<Record<string, string | undefined>> = process.env): JobTelemetry {
  const telemetry = customTelemetryFromEnvironment(settings);
  return telemetry === noCustomTelemetry ? noTelemetry : new ApplicationInsightsTelemetry(telemetry);
}
