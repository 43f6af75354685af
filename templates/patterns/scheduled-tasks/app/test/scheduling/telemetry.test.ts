import { InvocationContext } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ApplicationInsightsTelemetry, DURATION_METRIC, invocationOperationId, noTelemetry, RUN_EVENT, telemetryFromEnvironment } from '../../src/scheduling/telemetry.js';
import type { RunRecord } from '../../src/scheduling/tracking-store.js';

const CONNECTION_STRING = 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
const RUN: RunRecord = {
  job: 'nightly-report',
  scheduledTime: new Date('2026-05-04T02:30:00Z'),
  attempt: 1,
  startedAt: new Date('2026-05-04T02:30:00Z'),
  endedAt: new Date('2026-05-04T02:30:02Z'),
  durationMs: 2000,
  outcome: 'failed',
  error: 'Error: boom',
  isPastDue: false,
  invocationId: 'inv-1',
};

function recordingFetch(status = 200, responseBody = '{"errors":[]}') {
  const calls: { url: string; headers: Record<string, string>; body: unknown[] }[] = [];
  const fetchImpl = async (url: string, init: { headers: Record<string, string>; body: string }) => {
    calls.push({ url, headers: init.headers, body: JSON.parse(init.body) as unknown[] });
    return { ok: status < 300, status, text: async () => responseBody };
  };
  return { calls, fetchImpl };
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const credential: TokenCredential = { getToken: async (scope) => ({ token: `token-for-${String(scope)}`, expiresOnTimestamp: Date.now() + 3600_000 }) };

describe('ApplicationInsightsTelemetry', () => {
  it('gives up on an ingestion endpoint or a token request that does not answer, so a run is not held up by its telemetry', async () => {
    // Answers only by failing once its request is aborted, as fetch does; without a signal it never answers.
    const hanging = (signal: Pick<AbortSignal, 'addEventListener'> | undefined) =>
      new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('This operation was aborted')), { once: true }));
    const silentFetch = async (_url: string, init: { signal?: AbortSignal }) => hanging(init.signal);
    const silentCredential: TokenCredential = { getToken: async (_scope, options) => hanging(options?.abortSignal) };

    for (const telemetry of [
      new ApplicationInsightsTelemetry(CONNECTION_STRING, credential, silentFetch, 'func-app', 50),
      new ApplicationInsightsTelemetry(CONNECTION_STRING, silentCredential, recordingFetch().fetchImpl, 'func-app', 50),
    ]) {
      const outcome = await Promise.race([telemetry.trackRun(RUN, { final: true }).then(() => 'sent', (error: Error) => error.message), new Promise((resolve) => setTimeout(resolve, 2_000, 'still waiting'))]);
      expect(outcome).toMatch(/timed out after 50 ms/);
    }
  });

  it('sends the run as a custom event and its duration as a custom metric, with an Entra ID token', async () => {
    const { calls, fetchImpl } = recordingFetch();
    await new ApplicationInsightsTelemetry(CONNECTION_STRING, credential, fetchImpl, 'func-app').trackRun(RUN, { final: false, operationId: TRACE_ID });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://westeurope-5.in.applicationinsights.azure.com/v2.1/track');
    expect(calls[0]!.headers.Authorization).toBe('Bearer token-for-https://monitor.azure.com//.default');
    expect(calls[0]!.body).toEqual([
      expect.objectContaining({
        iKey: '00000000-0000-0000-0000-000000000001',
        time: '2026-05-04T02:30:02.000Z',
        tags: { 'ai.cloud.role': 'func-app', 'ai.operation.id': TRACE_ID },
        data: {
          baseType: 'EventData',
          baseData: {
            ver: 2,
            name: RUN_EVENT,
            properties: { job: 'nightly-report', outcome: 'failed', final: 'false', scheduledTime: '2026-05-04T02:30:00.000Z', startedAt: '2026-05-04T02:30:00.000Z', attempt: '1', isPastDue: 'false', invocationId: 'inv-1', error: 'Error: boom' },
            measurements: { durationMs: 2000 },
          },
        },
      }),
      expect.objectContaining({
        tags: { 'ai.cloud.role': 'func-app', 'ai.operation.id': TRACE_ID },
        data: {
          baseType: 'MetricData',
          baseData: { ver: 2, metrics: [{ name: DURATION_METRIC, kind: 0, value: 2000, count: 1 }], properties: { job: 'nightly-report', outcome: 'failed' } },
        },
      }),
    ]);
  });

  // The severity-1 alert fires on final failures only: one a retry may still fix pages no one.
  it('marks an outcome that no retry or other execution will change as final', async () => {
    const { calls, fetchImpl } = recordingFetch();
    const telemetry = new ApplicationInsightsTelemetry(CONNECTION_STRING, undefined, fetchImpl);
    await telemetry.trackRun({ ...RUN, attempt: 4 }, { final: true });
    await telemetry.trackRun(RUN, { final: false });

    const finals = calls.map((call) => (call.body[0] as { data: { baseData: { properties: { final: string } } } }).data.baseData.properties.final);
    expect(finals).toEqual(['true', 'false']);
  });

  it('leaves the operation to Application Insights when the run has no operation id', async () => {
    const { calls, fetchImpl } = recordingFetch();
    await new ApplicationInsightsTelemetry(CONNECTION_STRING, undefined, fetchImpl, 'func-app').trackRun(RUN, { final: false });

    expect(calls[0]!.body.map((envelope) => (envelope as { tags: object }).tags)).toEqual([{ 'ai.cloud.role': 'func-app' }, { 'ai.cloud.role': 'func-app' }]);
  });

  it('reports a refused batch as an error', async () => {
    const { fetchImpl } = recordingFetch(400);
    await expect(new ApplicationInsightsTelemetry(CONNECTION_STRING, undefined, fetchImpl).trackRun(RUN, { final: false })).rejects.toThrow('HTTP 400');
  });

  it('reports a batch accepted only in part (HTTP 206) as an error, naming what was refused', async () => {
    // The ingestion API answers 206 when it drops some items of a batch, say the run's event throttled (429).
    const partial = '{"itemsReceived":2,"itemsAccepted":1,"errors":[{"index":0,"statusCode":429,"message":"Throttled"}]}';
    const { fetchImpl } = recordingFetch(206, partial);
    await expect(new ApplicationInsightsTelemetry(CONNECTION_STRING, undefined, fetchImpl).trackRun(RUN, { final: false })).rejects.toThrow(`HTTP 206 ${partial}`);
  });

  it('rejects a connection string without an instrumentation key', () => {
    expect(() => new ApplicationInsightsTelemetry('IngestionEndpoint=https://example.com/', undefined)).toThrow('InstrumentationKey');
  });
});

describe('invocationOperationId', () => {
  const withTraceParent = (traceParent?: string) => new InvocationContext({ invocationId: 'inv-1', ...(traceParent !== undefined && { traceContext: { traceParent } }) });

  it('is the trace id of the invocation, what Application Insights uses as OperationId', () => {
    expect(invocationOperationId(withTraceParent(`00-${TRACE_ID}-00f067aa0ba902b7-01`))).toBe(TRACE_ID);
  });

  it('is undefined without a valid traceparent', () => {
    expect(invocationOperationId(withTraceParent())).toBeUndefined();
    for (const traceParent of ['', 'inv-1', `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`, `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, `ff-${TRACE_ID}-00f067aa0ba902b7-01`]) {
      expect(invocationOperationId(withTraceParent(traceParent)), traceParent).toBeUndefined();
    }
  });
});

describe('telemetryFromEnvironment', () => {
  it('sends nothing without a connection string', () => {
    expect(telemetryFromEnvironment({})).toBe(noTelemetry);
  });

  it('sends to Application Insights when a connection string is set', () => {
    expect(telemetryFromEnvironment({ APPLICATIONINSIGHTS_CONNECTION_STRING: CONNECTION_STRING })).toBeInstanceOf(ApplicationInsightsTelemetry);
  });
});
