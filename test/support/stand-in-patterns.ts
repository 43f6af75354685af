import { ValidationError } from '../../src/exit-codes.js';
import { PATTERNS } from '../../src/patterns/index.js';
import { definePattern, emptyContribution, PATTERN_IDS, type PatternDefinition, type PatternId } from '../../src/patterns/types.js';
import type { RuntimeDependencyName } from '../../src/versions.js';

// Template paths are relative to templates/; the stand-ins' templates are test fixtures.
const FIXTURES = '../test/fixtures/stand-in';
const DEPENDENCIES: RuntimeDependencyName[][] = [['@azure/service-bus'], ['@azure/event-hubs', '@azure/identity'], ['cron-parser', '@azure/identity'], ['csv-parse']];

/**
 * A pattern that contributes one of everything a real pattern can (a function, an infra module wired
 * into main.bicep, an app setting, host.json settings, dependencies, an alert, a README section, a feature,
 * an option), different for each id. Engine tests use them so they exercise every merge while the real
 * patterns are still placeholders, and stay independent of how the real ones evolve.
 */
export function standInPattern(id: PatternId): PatternDefinition {
  const index = PATTERN_IDS.indexOf(id);
  const camel = id.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
  const settingPrefix = id.replace(/-/g, '_').toUpperCase();
  return definePattern({
    id,
    title: PATTERNS[id].title,
    summary: PATTERNS[id].summary,
    matrix: PATTERNS[id].matrix,
    options: {
      greeting: {
        flag: `--${id}-greeting <text>`,
        description: 'what the function logs',
        defaultValue: `hello from ${id}`,
        parse: (input: unknown) => {
          if (typeof input !== 'string' || input.trim() === '') throw new ValidationError('give a non-empty text');
          return input;
        },
        format: (value: string) => value,
        prompt: { kind: 'input' },
      },
    },
    contribute: () => ({
      ...emptyContribution(),
      files: [
        { template: `${FIXTURES}/function.ts.hbs`, path: `src/functions/${camel}.ts`, data: { functionName: camel, queueName: `${id}-items` } },
      ],
      infraModules: [
        { symbol: camel, template: `${FIXTURES}/module.bicep.hbs`, path: `infra/modules/${id}.bicep`, coreParams: ['location', 'tags', 'storageAccountName'], params: {}, data: { queueName: `${id}-items` } },
      ],
      appSettings: [
        { name: `${settingPrefix}_QUEUE`, local: `${id}-items`, cloud: { module: camel, output: 'queueName' }, description: `queue of the ${id} stand-in` },
      ],
      hostJson: { extensions: { [`standIn${index}`]: { batchSize: 16 + index } } },
      dependencies: DEPENDENCIES[index]!,
      devDependencies: [],
      alerts: [
        {
          id: `${id}-failures`,
          description: `${id} fails`,
          severity: 2,
          query: `AppRequests\n| where OperationName == '${camel}' and Success == false\n| summarize Failed = count()`,
          metricColumn: 'Failed',
          operator: 'GreaterThan',
          threshold: 3,
          windowMinutes: 15,
          frequencyMinutes: 5,
        },
      ],
      features: index === 1 ? ['storageClients'] : [],
      readmePartial: `${FIXTURES}/readme.md`,
      nextSteps: [`try the ${id} stand-in`],
      notices: [`${id} stand-in notice`],
    }),
  }) as unknown as PatternDefinition;
}

/** Swaps every registry entry for its stand-in; returns the function that puts the real ones back. */
export function useStandInPatterns(): () => void {
  const real = { ...PATTERNS };
  for (const id of PATTERN_IDS) PATTERNS[id] = standInPattern(id);
  return () => Object.assign(PATTERNS, real);
}
