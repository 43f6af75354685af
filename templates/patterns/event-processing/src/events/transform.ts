import type { CloudEvent } from './cloud-event.js';
import { ACCEPTED_TYPE_PREFIX } from './config.js';

export type AttributeValue = string | number | boolean;

/** The app's own view of an event: no transport or CloudEvents details leak past this point. */
export interface DomainEvent {
  eventId: string;
  /** The CloudEvent type without the producer's namespace, e.g. `order.placed`. */
  eventType: string;
  source: string;
  subject: string | null;
  occurredAt: Date;
  /** The event data flattened to scalars: nested objects become dotted keys (`customer.id`), arrays JSON. */
  attributes: Readonly<Record<string, AttributeValue>>;
}

/** Maps a CloudEvent to the domain event; `receivedAt` stands in for a missing `time`. */
export function toDomainEvent(event: CloudEvent, receivedAt: Date): DomainEvent {
  const occurredAt = event.time === undefined ? receivedAt : new Date(event.time);
  return {
    eventId: event.id,
    eventType: event.type.startsWith(ACCEPTED_TYPE_PREFIX) ? event.type.slice(ACCEPTED_TYPE_PREFIX.length) : event.type,
    source: event.source,
    subject: event.subject ?? null,
    occurredAt,
    attributes: flatten(event.data),
  };
}

/**
 * Data comes from JSON, so every value is null, a scalar, an array or an object. The attributes are defined, not
 * assigned: assigned to a plain object, a field named `__proto__` would set its prototype instead.
 */
function flatten(data: Record<string, unknown>): Record<string, AttributeValue> {
  return Object.fromEntries(flattenedFields(data));
}

function* flattenedFields(data: Record<string, unknown>, prefix = ''): Generator<[string, AttributeValue]> {
  for (const [name, value] of Object.entries(data)) {
    const key = `${prefix}${name}`;
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) yield [key, JSON.stringify(value)];
    else if (typeof value === 'object') yield* flattenedFields(value as Record<string, unknown>, `${key}.`);
    else yield [key, value as AttributeValue];
  }
}
