import { InvocationContext } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ApplicationInsightsIngestion, customTelemetryFromEnvironment, invocationOperationId, noCustomTelemetry, sendOrWarn, type TelemetryItem } from '../../src/shared/custom-telemetry.js';
import { recordingIngestion, TEST_CONNECTION_STRING } from '../support/recording-ingestion.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const TIME = new Date('2026-05-04T02:30:02Z');
const EVENT: TelemetryItem = { kind: 'event', name: 'SomethingHappened', time: TIME, properties: { source: 'queue' }, measurements: { count: 2 }, operationId: TRACE_ID };

const credential: TokenCredential = { getToken: async (scope) => ({ token: `token-for-${String(scope)}`, expiresOnTimestamp: Date.now() + 3600_000 }) };

describe('ApplicationInsightsIngestion', () => {
  it('sends events and metrics in one call, with an Entra ID token', async () => {
    const { calls, fetchImpl } = recordingIngestion();
    await new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, credential, fetchImpl, 'func-app').send([
      EVENT,
      { kind: 'metric', name: 'SomethingMs', time: TIME, value: 12, properties: { source: 'queue' } },
    ]);

    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://westeurope-5.in.applicationinsights.azure.com/v2.1/track');
    expect(calls[0]!.headers.Authorization).toBe('Bearer token-for-https://monitor.azure.com//.default');
    expect(calls[0]!.body).toEqual([
      {
        name: 'Microsoft.ApplicationInsights.Event',
        iKey: '00000000-0000-0000-0000-000000000001',
        time: '2026-05-04T02:30:02.000Z',
        tags: { 'ai.cloud.role': 'func-app', 'ai.operation.id': TRACE_ID },
        data: { baseType: 'EventData', baseData: { ver: 2, name: 'SomethingHappened', properties: { source: 'queue' }, measurements: { count: 2 } } },
      },
      {
        name: 'Microsoft.ApplicationInsights.Metric',
        iKey: '00000000-0000-0000-0000-000000000001',
        time: '2026-05-04T02:30:02.000Z',
        // Without an operation id the item stands alone.
        tags: { 'ai.cloud.role': 'func-app' },
        data: { baseType: 'MetricData', baseData: { ver: 2, metrics: [{ name: 'SomethingMs', kind: 0, value: 12, count: 1 }], properties: { source: 'queue' } } },
      },
    ]);
  });

  it('makes no call for nothing to send', async () => {
    const { calls, fetchImpl } = recordingIngestion();
    await new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, credential, fetchImpl).send([]);
    expect(calls).toEqual([]);
  });

  it('gives up on an ingestion endpoint or a token request that does not answer, so its caller is not held up', async () => {
    // Answers only by failing once its request is aborted, as fetch does; without a signal it never answers.
    const hanging = (signal: Pick<AbortSignal, 'addEventListener'> | undefined) =>
      new Promise<never>((_, reject) => signal?.addEventListener('abort', () => reject(new Error('This operation was aborted')), { once: true }));
    const silentFetch = async (_url: string, init: { signal?: AbortSignal }) => hanging(init.signal);
    const silentCredential: TokenCredential = { getToken: async (_scope, options) => hanging(options?.abortSignal) };

    for (const telemetry of [
      new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, credential, silentFetch, 'func-app', 50),
      new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, silentCredential, recordingIngestion().fetchImpl, 'func-app', 50),
    ]) {
      const outcome = await Promise.race([telemetry.send([EVENT]).then(() => 'sent', (error: Error) => error.message), new Promise((resolve) => setTimeout(resolve, 2_000, 'still waiting'))]);
      expect(outcome).toMatch(/timed out after 50 ms/);
    }
  });

  it('reports a refused batch as an error', async () => {
    const { fetchImpl } = recordingIngestion(400);
    await expect(new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, undefined, fetchImpl).send([EVENT])).rejects.toThrow('HTTP 400');
  });

  it('reports a batch accepted only in part (HTTP 206) as an error, naming what was refused', async () => {
    // The ingestion API answers 206 when it drops some items of a batch, say an event throttled (429).
    const partial = '{"itemsReceived":2,"itemsAccepted":1,"errors":[{"index":0,"statusCode":429,"message":"Throttled"}]}';
    const { fetchImpl } = recordingIngestion(206, partial);
    await expect(new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, undefined, fetchImpl).send([EVENT, EVENT])).rejects.toThrow(`HTTP 206 ${partial}`);
  });

  it('rejects a connection string without an instrumentation key', () => {
    expect(() => new ApplicationInsightsIngestion('IngestionEndpoint=https://example.com/', undefined)).toThrow('InstrumentationKey');
  });
});

describe('sendOrWarn', () => {
  it('logs a warning naming what was not sent, instead of failing its caller', async () => {
    const warnings: string[] = [];
    await sendOrWarn({ send: () => Promise.reject(new Error('ingestion down')) }, [EVENT], { warn: (message: unknown) => warnings.push(String(message)) });
    expect(warnings).toEqual(['Custom telemetry not sent (SomethingHappened): ingestion down']);
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

describe('customTelemetryFromEnvironment', () => {
  it('sends nothing without a connection string', () => {
    expect(customTelemetryFromEnvironment({})).toBe(noCustomTelemetry);
  });

  it('sends to Application Insights when a connection string is set', () => {
    expect(customTelemetryFromEnvironment({ APPLICATIONINSIGHTS_CONNECTION_STRING: TEST_CONNECTION_STRING })).toBeInstanceOf(ApplicationInsightsIngestion);
  });
});
