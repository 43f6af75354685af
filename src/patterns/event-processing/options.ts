import { ValidationError } from '../../exit-codes.js';
import { choiceKey, oneValue, parseStorageName, POISON_SUFFIX } from '../option-kinds.js';

export const EVENT_SOURCES = ['eventgrid', 'servicebus', 'eventhubs', 'storage-queue'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

export const EVENT_STYLES = ['filtering', 'transformation', 'fan-out', 'aggregation'] as const;
export type EventStyle = (typeof EVENT_STYLES)[number];

export const ORDERING_MODES = ['none', 'ordered'] as const;
export type OrderingMode = (typeof ORDERING_MODES)[number];

export const SERVICE_BUS_ENTITIES = ['queue', 'topic'] as const;
export type ServiceBusEntity = (typeof SERVICE_BUS_ENTITIES)[number];

/**
 * A comma-separated list (flag) or an array (answers file, prompt) of known values, returned deduplicated in
 * canonical order so the generated app does not depend on how the user listed them.
 */
export function parseChoiceList<T extends string>(input: unknown, valid: readonly T[], what: string): T[] {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) throw new ValidationError(`give the ${what}s as a list or as comma-separated text, not a mapping`);
  const typed = (Array.isArray(input) ? input : String(input ?? '').split(','))
    .map((item) => oneValue(item, `each ${what}`))
    .filter((item) => item !== '');
  if (typed.length === 0) throw new ValidationError(`give at least one ${what}: ${valid.join(', ')}`);
  // Errors quote the values as typed (`KAFKA`), not as compared.
  const unknown = [...new Set(typed.filter((item) => !(valid as readonly string[]).includes(choiceKey(item))))];
  if (unknown.length > 0) {
    throw new ValidationError(`unknown ${what}${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; valid ${what}s: ${valid.join(', ')}`);
  }
  const keys = typed.map(choiceKey);
  return valid.filter((value) => keys.includes(value));
}

export function parseChoice<T extends string>(input: unknown, valid: readonly T[], what: string): T {
  const typed = oneValue(input, `the ${what}`);
  const value = choiceKey(typed);
  if (!(valid as readonly string[]).includes(value)) throw new ValidationError(`unknown ${what} "${typed}"; valid ${what}s: ${valid.join(', ')}`);
  return value as T;
}

/**
 * Service Bus queue and topic names: 1-260 letters, digits, `.`, `-`, `_`, starting and ending with a letter or
 * digit. Service Bus also allows `/` (nested paths); it is refused here because the name becomes a Bicep child
 * resource name, where a slash means another level.
 */
export function parseServiceBusEntityName(input: unknown): string {
  return parseEntityName(input, { max: 260, what: 'a Service Bus queue or topic name' });
}

/** Event Hub names: 1-256 letters, digits, `.`, `-`, `_`, starting and ending with a letter or digit. */
export function parseEventHubName(input: unknown): string {
  return parseEntityName(input, { max: 256, what: 'an event hub name' });
}

function parseEntityName(input: unknown, rule: { max: number; what: string }): string {
  const name = oneValue(input, rule.what);
  const problem =
    name === ''
      ? 'it is empty'
      : name.length > rule.max
        ? `it has ${name.length} characters (at most ${rule.max})`
        : /[^A-Za-z0-9._-]/.test(name)
          ? `"${name.match(/[^A-Za-z0-9._-]/)![0]}" is not allowed (letters, digits, ".", "-" and "_" only)`
          : !/^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(name)
            ? 'it must start and end with a letter or digit'
            : undefined;
  if (problem) throw new ValidationError(`"${name}" is not ${rule.what}: ${problem}`);
  return name;
}

/**
 * Storage queue names: Azure's rule, with room left for the host's poison queue (`<name>-poison`) and for its own
 * poison queue (`<name>-poison-poison`), where the host moves what it cannot decode and the app reads it.
 */
export function parseStorageQueueName(input: unknown): string {
  return parseStorageName(input, 'queue', 63 - 2 * POISON_SUFFIX.length);
}

/**
 * A top-level field of the event's `data` (e.g. `customerId`); empty means none. It becomes a property name in
 * the generated TypeScript, so it must be an identifier.
 */
export function parseFieldName(input: unknown): string {
  const name = oneValue(input, 'a field name');
  if (name !== '' && !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
    throw new ValidationError(`"${name}" is not a field name: use letters, digits and "_" (up to 64), not starting with a digit, e.g. customerId`);
  }
  // The app read Object.prototype's member, not the event's field: with constructor, the event schema refused
  // every event whose data had one (no plain object to it), and `{ __proto__: … }` in the app's tests sets none.
  if (Object.hasOwn(Object.prototype, name)) {
    throw new ValidationError(`"${name}" is a property of every JavaScript object, so the app cannot read it as a field of the event data; choose another name`);
  }
  return name;
}
