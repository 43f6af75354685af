import type { CloudEvent } from './cloud-event.js';
import { ACCEPTED_TYPE_PREFIX } from './config.js';

export type FilterDecision = { keep: true } | { keep: false; reason: string };

/**
 * The in-code filter. Where the source supports it the same rule also runs server-side (Event Grid advanced
 * filter, Service Bus subscription rule), so unwanted events are not even delivered; this check stays as the
 * single source of truth for the sources that cannot filter (queues, Event Hubs).
 */
export function filterEvent(event: CloudEvent): FilterDecision {
  if (!event.type.startsWith(ACCEPTED_TYPE_PREFIX)) return { keep: false, reason: `type "${event.type}" is not ${ACCEPTED_TYPE_PREFIX}*` };
  // Producers mark load-test and probe traffic; it must never reach business state.
  if (event.data.synthetic === true) return { keep: false, reason: 'synthetic event' };
  return { keep: true };
}
