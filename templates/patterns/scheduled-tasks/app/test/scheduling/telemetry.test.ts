import type { TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ApplicationInsightsIngestion } from '../../src/shared/custom-telemetry.js';
import { ApplicationInsightsTelemetry, DURATION_METRIC, noTelemetry, RUN_EVENT, telemetryFromEnvironment } from '../../src/scheduling/telemetry.js';
import type { RunRecord } from '../../src/scheduling/tracking-store.js';
import { recordingIngestion, TEST_CONNECTION_STRING } from '../support/recording-ingestion.js';

// The ingestion client itself (token, timeout, refused batches) is tested in test/shared/custom-telemetry.test.ts.
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

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const credential: TokenCredential = { getToken: async (scope) => ({ token: `token-for-${String(scope)}`, expiresOnTimestamp: Date.now() + 3600_000 }) };

function runTelemetry(fetchImpl: ReturnType<typeof recordingIngestion>['fetchImpl'], withCredential?: TokenCredential) {
  return new ApplicationInsightsTelemetry(new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, withCredential, fetchImpl, 'func-app'));
}

describe('ApplicationInsightsTelemetry', () => {
  it('sends the run as a custom event and its duration as a custom metric, with an Entra ID token', async () => {
    const { calls, fetchImpl } = recordingIngestion();
    await runTelemetry(fetchImpl, credential).trackRun(RUN, { final: false, operationId: TRACE_ID });

    expect(calls).toHaveLength(1);
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
    const { calls, fetchImpl } = recordingIngestion();
    const telemetry = runTelemetry(fetchImpl);
    await telemetry.trackRun({ ...RUN, attempt: 4 }, { final: true });
    await telemetry.trackRun(RUN, { final: false });

    const finals = calls.map((call) => (call.body[0]!.data.baseData.properties as { final: string }).final);
    expect(finals).toEqual(['true', 'false']);
  });

  it('sends no duration metric for a run without a duration', async () => {
    const { calls, fetchImpl } = recordingIngestion();
    await runTelemetry(fetchImpl).trackRun({ ...RUN, endedAt: undefined, durationMs: undefined }, { final: false });

    expect(calls[0]!.body).toEqual([expect.objectContaining({ time: '2026-05-04T02:30:00.000Z', data: expect.objectContaining({ baseType: 'EventData' }) })]);
  });
});

describe('telemetryFromEnvironment', () => {
  it('sends nothing without a connection string', () => {
    expect(telemetryFromEnvironment({})).toBe(noTelemetry);
  });

  it('sends to Application Insights when a connection string is set', () => {
    expect(telemetryFromEnvironment({ APPLICATIONINSIGHTS_CONNECTION_STRING: TEST_CONNECTION_STRING })).toBeInstanceOf(ApplicationInsightsTelemetry);
  });
});
