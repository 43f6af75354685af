import { emptyContribution, type Feature, type LogAlert, type PatternContribution } from './patterns/types.js';
import { templateFolder } from './templates-dir.js';

/** Alerts every app gets, whatever its patterns: the signals that matter for any function app. */
const BASE_ALERTS: LogAlert[] = [
  {
    id: 'function-failures',
    description: 'Function invocations are failing: more than 5 failed executions in 15 minutes.',
    severity: 1,
    query: 'AppRequests\n| where Success == false\n| summarize FailedCount = count()',
    metricColumn: 'FailedCount',
    operator: 'GreaterThan',
    threshold: 5,
    windowMinutes: 15,
    frequencyMinutes: 5,
  },
  {
    id: 'exceptions',
    description: 'Unhandled exceptions are being logged: more than 10 in 15 minutes.',
    severity: 2,
    query: 'AppExceptions\n| summarize ExceptionCount = count()',
    metricColumn: 'ExceptionCount',
    operator: 'GreaterThan',
    threshold: 10,
    windowMinutes: 15,
    frequencyMinutes: 5,
  },
];

/** The base project every app gets, declared like a pattern so the engine treats both alike. */
export function baseContribution(): PatternContribution {
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
    devDependencies: ['typescript', 'vitest', '@types/node', 'rimraf'],
    alerts: BASE_ALERTS,
    features: [],
    nextSteps: [],
    notices: [],
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
};
