import { ApplicationInsightsIngestion, type Fetch } from '../../src/shared/custom-telemetry.js';

export const TEST_CONNECTION_STRING = 'InstrumentationKey=00000000-0000-0000-0000-000000000001;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';

/** One item of a batch as the ingestion API receives it. */
export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

/**
 * The real ingestion client over a fake fetch that records each call and answers `status`: what the app sends
 * to Application Insights, envelopes and all, without a network.
 */
export function recordingIngestion(status = 200, responseBody = '{"errors":[]}') {
  const calls: { url: string; headers: Record<string, string>; body: Envelope[] }[] = [];
  const fetchImpl: Fetch = async (url, init) => {
    calls.push({ url, headers: init.headers, body: JSON.parse(init.body) as Envelope[] });
    return { ok: status < 300, status, text: async () => responseBody };
  };
  return {
    calls,
    fetchImpl,
    telemetry: new ApplicationInsightsIngestion(TEST_CONNECTION_STRING, undefined, fetchImpl, 'func-app'),
    /** The custom events sent, in order, as the AppEvents table would show their name, properties and measurements. */
    events: () =>
      calls
        .flatMap((call) => call.body)
        .filter((envelope) => envelope.data.baseType === 'EventData')
        .map(({ data: { baseData } }) => ({
          name: baseData.name as string,
          properties: baseData.properties as Record<string, string> | undefined,
          measurements: baseData.measurements as Record<string, number> | undefined,
        })),
  };
}
