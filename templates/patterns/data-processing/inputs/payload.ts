import type { FunctionTrigger } from '@azure/functions';

/**
 * Declares a queue or Event Hubs trigger `dataType: 'binary'`: the host then hands each body over as its bytes (a
 * Buffer; an array of them for a batch), so the parse stage's strict decoder sees what was sent. Without it the
 * host decodes the body as UTF-8 text, replacing invalid bytes with U+FFFD, and the library parses text that is
 * JSON. The library's trigger options do not list `dataType`; it passes the binding's properties to the host as given.
 */
export function binaryTrigger<T extends FunctionTrigger>(trigger: T): T & { dataType: 'binary' } {
  return { ...trigger, dataType: 'binary' };
}

/** A body of a binary trigger, checked: anything but bytes means the trigger was declared otherwise. */
export function payloadBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  throw new TypeError(`The trigger delivered a ${typeof body} instead of bytes: declare it with binaryTrigger()`);
}
