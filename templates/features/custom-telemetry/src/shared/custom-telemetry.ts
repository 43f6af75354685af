import type { InvocationContext } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { azureCredential } from './storage-clients.js';

/**
 * A custom event (the AppEvents table) or a custom metric (AppMetrics). Properties are strings, as Application
 * Insights stores them; `operationId` ties the item to the invocation's request, logs and exceptions.
 */
export type TelemetryItem =
  | { kind: 'event'; name: string; time: Date; properties?: Record<string, string>; measurements?: Record<string, number>; operationId?: string }
  | { kind: 'metric'; name: string; time: Date; value: number; properties?: Record<string, string>; operationId?: string };

/**
 * Where the app's own events and metrics go: Application Insights in Azure, nowhere locally. Unlike log lines,
 * which the host's adaptive sampling thins out under load, what is sent here arrives whole, so an alert can page
 * on a single occurrence.
 */
export interface CustomTelemetry {
  send(items: readonly TelemetryItem[]): Promise<void>;
}

/**
 * The OperationId Application Insights gives an invocation's request, logs and exceptions: the trace id of the
 * W3C traceparent the host hands the worker (not the invocation id). Undefined when the host sent none, or an
 * invalid one (version ff, an all-zero trace id).
 */
export function invocationOperationId(context: InvocationContext): string | undefined {
  return traceParentOperationId(context.traceContext?.traceParent ?? undefined);
}

/** The OperationId a W3C traceparent stands for (its trace id), as `invocationOperationId`: for one recorded earlier. */
export function traceParentOperationId(traceParent: string | undefined): string | undefined {
  const traceId = /^(?!ff)[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(-|$)/.exec(traceParent ?? '')?.[1];
  return traceId === undefined || /^0+$/.test(traceId) ? undefined : traceId;
}

const INGESTION_SCOPE = 'https://monitor.azure.com//.default';

export type Fetch = (url: string, init: { method: 'POST'; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

/**
 * How long sending may take, token included. Callers wait for it (a run before its work starts, a dead letter
 * before its invocation ends), and fetch alone waits up to 5 minutes for an endpoint that does not answer.
 */
export const TELEMETRY_TIMEOUT_MS = 10_000;

/**
 * Sends custom events and metrics to the Application Insights ingestion API (the one every SDK uses), with an
 * Entra ID token because the resource refuses instrumentation-key-only telemetry. A few envelopes per invocation
 * do not justify an SDK that instruments the whole process.
 */
export class ApplicationInsightsIngestion implements CustomTelemetry {
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

  async send(items: readonly TelemetryItem[]): Promise<void> {
    if (items.length === 0) return;
    const envelopes = items.map((item) => this.envelope(item));
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

  private envelope(item: TelemetryItem) {
    const [type, baseType, baseData] =
      item.kind === 'event'
        ? (['Event', 'EventData', { name: item.name, properties: item.properties ?? {}, ...(item.measurements && { measurements: item.measurements }) }] as const)
        : (['Metric', 'MetricData', { metrics: [{ name: item.name, kind: 0, value: item.value, count: 1 }], properties: item.properties ?? {} }] as const);
    return {
      name: `Microsoft.ApplicationInsights.${type}`,
      time: item.time.toISOString(),
      iKey: this.instrumentationKey,
      // Without an operation id the item stands alone rather than claim an operation that has nothing else in it.
      tags: { 'ai.cloud.role': this.roleName, ...(item.operationId !== undefined && { 'ai.operation.id': item.operationId }) },
      data: { baseType, baseData: { ver: 2, ...baseData } },
    };
  }
}

/** Without a connection string (tests, `func start` without Azure) nothing is sent. */
export const noCustomTelemetry: CustomTelemetry = { send: async () => undefined };

export function customTelemetryFromEnvironment(settings: Readonly<Record<string, string | undefined>> = process.env): CustomTelemetry {
  const connectionString = settings.APPLICATIONINSIGHTS_CONNECTION_STRING;
  if (!connectionString) return noCustomTelemetry;
  const usesEntraId = /Authorization=AAD/i.test(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '');
  return new ApplicationInsightsIngestion(connectionString, usesEntraId ? azureCredential() : undefined);
}

/**
 * Sends the items, and on failure logs a warning instead of failing the invocation: what they report (a letter
 * parked, an input poisoned) is done and recorded elsewhere, and a retry would only repeat it.
 */
export async function sendOrWarn(telemetry: CustomTelemetry, items: readonly TelemetryItem[], context: Pick<InvocationContext, 'warn'>): Promise<void> {
  try {
    await telemetry.send(items);
  } catch (error) {
    context.warn(`Custom telemetry not sent (${items.map((item) => item.name).join(', ')}): ${error instanceof Error ? error.message : String(error)}`);
  }
}
