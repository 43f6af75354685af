import type { InvocationContext } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { azureCredential } from '../shared/storage-clients.js';
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

/**
 * The OperationId Application Insights gives an invocation's request, logs and exceptions: the trace id of the
 * W3C traceparent the host hands the worker (not the invocation id). Undefined when the host sent none, or an
 * invalid one (version ff, an all-zero trace id).
 */
export function invocationOperationId(context: InvocationContext): string | undefined {
  const traceId = /^(?!ff)[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(-|$)/.exec(context.traceContext?.traceParent ?? '')?.[1];
  return traceId === undefined || /^0+$/.test(traceId) ? undefined : traceId;
}

const INGESTION_SCOPE = 'https://monitor.azure.com//.default';

type Fetch = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/**
 * How long sending a run's telemetry may take, token included. The runner waits for it (after claiming a run, before
 * its work and heartbeats start; after recording the outcome), and fetch alone waits up to 5 minutes for an endpoint
 * that does not answer: as long as a run may stay silent before another execution takes it for dead.
 */
export const TELEMETRY_TIMEOUT_MS = 10_000;

/**
 * Sends custom events and metrics to the Application Insights ingestion API (the one every SDK uses), with an
 * Entra ID token because the resource refuses instrumentation-key-only telemetry. Two envelopes per run
 * do not justify an SDK that instruments the whole process.
 */
export class ApplicationInsightsTelemetry implements JobTelemetry {
  private readonly instrumentationKey: string;
  private readonly trackUrl: string;

  constructor(
    connectionString: string,
    private readonly credential: TokenCredential | undefined,
    private readonly fetchImpl: Fetch = fetch,
    private readonly roleName = process.env.WEBSITE_SITE_NAME ?? 'local',
    private readonly timeoutMs = TELEMETRY_TIMEOUT_MS,
  ) {
    const parts = Object.fromEntries(
      connectionString.split(';').filter(Boolean).map((part) => {
        const index = part.indexOf('=');
        return [part.slice(0, index).trim().toLowerCase(), part.slice(index + 1).trim()];
      }),
    );
    if (!parts.instrumentationkey) throw new Error('APPLICATIONINSIGHTS_CONNECTION_STRING has no InstrumentationKey');
    this.instrumentationKey = parts.instrumentationkey;
    const endpoint = (parts.ingestionendpoint ?? 'https://dc.services.visualstudio.com').replace(/\/+$/, '');
    this.trackUrl = `${endpoint}/v2.1/track`;
  }

  async trackRun(record: RunRecord, { final, operationId }: RunReport): Promise<void> {
    const time = (record.endedAt ?? record.startedAt).toISOString();
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
    const envelope = (type: 'Event' | 'Metric', baseType: string, baseData: Record<string, unknown>) => ({
      name: `Microsoft.ApplicationInsights.${type}`,
      time,
      iKey: this.instrumentationKey,
      // Without an operation id the event stands alone rather than claim an operation that has nothing else in it.
      tags: { 'ai.cloud.role': this.roleName, ...(operationId !== undefined && { 'ai.operation.id': operationId }) },
      data: { baseType, baseData: { ver: 2, ...baseData } },
    });
    const envelopes = [envelope('Event', 'EventData', { name: RUN_EVENT, properties, measurements: { durationMs: record.durationMs ?? 0 } })];
    if (record.durationMs !== undefined) {
      envelopes.push(
        envelope('Metric', 'MetricData', {
          metrics: [{ name: DURATION_METRIC, kind: 0, value: record.durationMs, count: 1 }],
          properties: { job: record.job, outcome: record.outcome },
        }),
      );
    }
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (this.credential) {
        const token = await this.credential.getToken(INGESTION_SCOPE, { abortSignal: signal });
        if (!token) throw new Error('no Entra ID token for Application Insights ingestion');
        headers.Authorization = `Bearer ${token.token}`;
      }
      const response = await this.fetchImpl(this.trackUrl, { method: 'POST', headers, body: JSON.stringify(envelopes), signal });
      // 206: the batch was accepted in part, and the items it names were dropped (throttled, or refused one by one).
      if (!response.ok || response.status === 206) {
        throw new Error(`Application Insights refused ${response.ok ? 'some' : 'all'} of ${envelopes.length} items: HTTP ${response.status} ${await response.text()}`);
      }
    } catch (error) {
      if (signal.aborted) throw new Error(`Application Insights ingestion timed out after ${this.timeoutMs} ms`, { cause: error });
      throw error;
    }
  }
}

/** Without a connection string (tests, `func start` without Azure) runs are still recorded in Table storage. */
export const noTelemetry: JobTelemetry = { trackRun: async () => undefined };

export function telemetryFromEnvironment(settings: Readonly<Record<string, string | undefined>> = process.env): JobTelemetry {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return noTelemetry;
  const usesEntraId = /Authorization=AAD/i.test(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '');
  return new ApplicationInsightsTelemetry(connectionString, usesEntraId ? azureCredential() : undefined);
}
