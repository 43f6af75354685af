import { buildPlan, type Plan } from '../../src/engine/plan.js';
import { PATTERN_IDS, type PatternId } from '../../src/patterns/types.js';

/** Every subset of the patterns, the empty one (base project) included: 2^n combinations, registry order. */
export const PATTERN_SUBSETS: PatternId[][] = Array.from({ length: 2 ** PATTERN_IDS.length }, (_, mask) =>
  PATTERN_IDS.filter((_, bit) => mask & (1 << bit)),
);

export function subsetName(patterns: readonly PatternId[]): string {
  return patterns.length > 0 ? patterns.join('+') : 'base';
}

/** The plan `--pattern <subset> --yes` builds: every option at its default. */
export function defaultPlan(patterns: readonly PatternId[], targetDir = '/tmp/csa-plan'): Plan {
  return buildPlan({ name: 'subset-app', location: 'eastus', patterns: Object.fromEntries(patterns.map((id) => [id, {}])) }, targetDir);
}

/**
 * The four patterns with every option that adds Azure resources: where two patterns' modules could both
 * declare one resource (a namespace, a queue), which the defaults never show.
 */
export const everyResource = {
  'http-api': { auth: 'entra-id' },
  'event-processing': {
    eventSources: 'eventgrid,servicebus,eventhubs,storage-queue',
    eventStyles: 'filtering,transformation,fan-out,aggregation',
    aggregationKey: 'customerId',
    ordering: 'ordered',
    serviceBusEntity: 'topic',
  },
  'scheduled-tasks': {},
  'data-processing': { dataInput: 'eventhubs', dataDestination: 'cosmos' },
};
