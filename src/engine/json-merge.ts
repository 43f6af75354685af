import type { JsonObject, JsonValue } from '../patterns/types.js';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges `patch` into `target` (a new object is returned). Two contributions that set the same
 * scalar to different values are a registry bug, not something to resolve silently.
 */
export function deepMerge(target: JsonObject, patch: JsonObject, path = ''): JsonObject {
  const result: JsonObject = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const here = path ? `${path}.${key}` : key;
    const existing = result[key];
    if (existing === undefined) {
      result[key] = value;
    } else if (isObject(existing) && isObject(value)) {
      result[key] = deepMerge(existing, value, here);
    } else if (!sameJson(existing, value)) {
      throw new Error(`conflicting values for "${here}": ${JSON.stringify(existing)} vs ${JSON.stringify(value)}`);
    }
  }
  return result;
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Objects with keys sorted, so generated JSON is stable whatever order patterns were composed in. */
export function sortKeys<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key] as JsonValue)]),
  ) as T;
}
