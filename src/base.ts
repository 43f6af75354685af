import { emptyContribution, failureRateAlert, type Feature, type LogAlert, type PatternContribution } from './patterns/types.js';
import { templateFolder } from './templates-dir.js';

/**
 * Alerts every app gets, whatever its patterns: errors first (severity 1–2), then performance (2–3).
 * Each query returns one row with one numeric column, the value the rule compares: several rows would be
 * summed by the rule's `Total` aggregation. `sum(ItemCount)` counts telemetry that sampling collapsed.
 * `durationAlerted`: the functions an alert of their own pattern watches the duration of.
 */
export function baseAlerts(durationAlerted: readonly string[]): LogAlert[] {
  return [
    {
      id: 'function-failures',
      description: 'Function executions are failing: more than 5 failed executions in 15 minutes.',
      severity: 1,
      query: 'AppRequests\n| where Success == false\n| summarize FailedCount = sum(ItemCount)',
      metricColumn: 'FailedCount',
      operator: 'GreaterThan',
      threshold: 5,
      windowMinutes: 15,
      frequencyMinutes: 5,
    },
    failureRateAlert({
      id: 'failure-rate',
      description: 'More than 5% of function executions failed in 15 minutes (evaluated once there are at least 20).',
      severity: 1,
    }),
    {
      id: 'exceptions',
      description: 'Exceptions are being logged: more than 10 in 15 minutes.',
      severity: 2,
      query: 'AppExceptions\n| summarize ExceptionCount = sum(ItemCount)',
      metricColumn: 'ExceptionCount',
      operator: 'GreaterThan',
      threshold: 10,
      windowMinutes: 15,
      frequencyMinutes: 5,
    },
    {
      id: 'dependency-failures',
      description:
        'Calls to Azure services or other dependencies are failing: more than 10 in 15 minutes, leaving out the lease and ETag conflicts (409, 412) with which instances share work.',
      severity: 2,
      // Instances share work through conditional storage writes (Event Hubs partition ownership and checkpoints, blob
      // trigger receipts, singleton leases): the one that loses a race gets 409 or 412, recorded as a failed call.
      query: 'AppDependencies\n| where Success == false and ResultCode !in ("409", "412")\n| summarize FailedCalls = sum(ItemCount)',
      metricColumn: 'FailedCalls',
      operator: 'GreaterThan',
      threshold: 10,
      windowMinutes: 15,
      frequencyMinutes: 5,
    },
    {
      id: 'duration-p95',
      description:
        'Slow executions: the 95th percentile duration exceeded 10 seconds over 30 minutes (evaluated once there are at least 10)' +
        (durationAlerted.length > 0 ? ', leaving out functions whose own pattern alerts on their duration.' : '.'),
      severity: 2,
      query: [
        'AppRequests',
        // A file import's minutes or an API's 2 s are budgets of their own, watched by their pattern's alerts.
        ...(durationAlerted.length > 0 ? [`| where Name !in (${durationAlerted.map((name) => JSON.stringify(name)).join(', ')})`] : []),
        '| summarize DurationP95Ms = percentile(DurationMs, 95), Executions = count()',
        '| where Executions >= 10',
        '| project DurationP95Ms',
      ].join('\n'),
      metricColumn: 'DurationP95Ms',
      operator: 'GreaterThan',
      threshold: 10_000,
      windowMinutes: 30,
      frequencyMinutes: 15,
    },
    {
      id: 'execution-spike',
      description: 'Unusual throughput: more than 50,000 executions in 15 minutes, e.g. a retry loop or abuse; raise it once you know your peak.',
      severity: 3,
      query: 'AppRequests\n| summarize Executions = sum(ItemCount)',
      metricColumn: 'Executions',
      operator: 'GreaterThan',
      threshold: 50_000,
      windowMinutes: 15,
      frequencyMinutes: 15,
    },
  ];
}

/** The base liveness probe's function (src/functions/health.ts), which http-api's availability test calls. */
export const HEALTH_FUNCTION = 'health';

/**
 * The base project every app gets, declared like a pattern so the engine treats both alike; its alerts leave out
 * what the patterns' own alerts watch (`patterns`: the selected patterns' contributions).
 */
export function baseContribution(patterns: readonly PatternContribution[] = []): PatternContribution {
  const durationAlerted = patterns.flatMap((pattern) => pattern.functionNames.filter((name) => name.durationAlerted).map((name) => name.name));
  return {
    files: [
      ...templateFolder('base'),
      // The real settings file is git-ignored; both start from one template so they never drift.
      { template: 'base/local.settings.example.json', path: 'local.settings.json' },
    ],
    infraModules: [],
    appSettings: [],
    hostJson: {},
    dependencies: ['@azure/functions'],
    devDependencies: ['typescript', 'esbuild', 'vitest', '@types/node', 'rimraf'],
    alerts: baseAlerts(durationAlerted),
    features: [],
    nextSteps: [],
    notices: [],
    storageNames: [],
    functionNames: [{ name: HEALTH_FUNCTION }],
    costNotes: [
      'Flex Consumption: billed per execution and GB-second, with a monthly free grant; no always-ready instances by default, so idle costs nothing',
      'Storage, Key Vault, Log Analytics: billed per use (GB stored or ingested, operations); Log Analytics ingestion is usually the largest of these',
    ],
  };
}

/** What a feature adds to the project once any pattern asks for it (a feature may need other features). */
export const FEATURE_CONTRIBUTIONS: Record<Feature, () => PatternContribution> = {
  azurite: () => ({ ...emptyContribution(), files: templateFolder('features/azurite'), devDependencies: ['azurite'] }),
  storageClients: () => ({
    ...emptyContribution(),
    files: templateFolder('features/storage-clients'),
    dependencies: ['@azure/identity', '@azure/data-tables', '@azure/storage-blob', '@azure/storage-queue'],
    features: ['azurite'],
  }),
  postdeployHooks: () => ({ ...emptyContribution(), files: templateFolder('features/postdeploy-hooks') }),
  slowTests: () => ({ ...emptyContribution(), files: templateFolder('features/slow-tests') }),
  traceContext: () => ({ ...emptyContribution(), files: templateFolder('features/trace-context'), dependencies: ['@opentelemetry/core', '@opentelemetry/api'] }),
  metricAlerts: () => ({ ...emptyContribution(), files: templateFolder('features/metric-alerts') }),
  // The Entra ID token comes from the credential the storage clients share.
  customTelemetry: () => ({ ...emptyContribution(), files: templateFolder('features/custom-telemetry'), features: ['storageClients'] }),
};
