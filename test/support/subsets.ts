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
