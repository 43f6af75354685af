import { dataProcessing } from './data-processing/index.js';
import { eventProcessing } from './event-processing/index.js';
import { httpApi } from './http-api/index.js';
import { choiceKey } from './option-kinds.js';
import { scheduledTasks } from './scheduled-tasks/index.js';
import { PATTERN_IDS, type PatternDefinition, type PatternId } from './types.js';

/** The pattern registry. A Record over PatternId means a new id cannot be added without its module. */
export const PATTERNS: Record<PatternId, PatternDefinition> = {
  'http-api': httpApi,
  'event-processing': eventProcessing,
  'scheduled-tasks': scheduledTasks,
  'data-processing': dataProcessing,
};

/** Registry order is the canonical order: generated files do not depend on how the user listed patterns. */
export function sortPatternIds(ids: Iterable<PatternId>): PatternId[] {
  const chosen = new Set(ids);
  return PATTERN_IDS.filter((id) => chosen.has(id));
}

/** The pattern an id as typed names, compared like every other choice (`HTTP-API` is http-api); undefined if none. */
export function findPatternId(input: unknown): PatternId | undefined {
  const key = choiceKey(input);
  return PATTERN_IDS.find((id) => id === key);
}

export { PATTERN_IDS };
export type { PatternId };
