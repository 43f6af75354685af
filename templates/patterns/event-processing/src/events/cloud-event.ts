import { z } from 'zod';
import { PermanentError } from './errors.js';
import { MAX_STORED_TEXT } from './idempotency.js';

/**
 * Every source carries the same contract: a CloudEvents 1.0 event in JSON (structured mode). Event Grid delivers
 * it natively; Service Bus, Event Hubs and storage queue producers send the same JSON as the message body. One
 * schema means one place to validate, and handlers that do not care where an event came from.
 */
const cloudEventSchema = z.object({
  specversion: z.literal('1.0'),
  /** Unique per source: together with `source` it is the idempotency key, which keeps both in a Table column. */
  id: z.string().min(1).max(MAX_STORED_TEXT),
  source: z.string().min(1).max(MAX_STORED_TEXT),
  type: z.string().min(1),
  subject: z.string().optional(),
  // RFC 3339 lets the T and Z be lowercase, which the ISO check refuses: normalised first, as the same instant.
  time: z
    .string()
    .transform((time) => time.toUpperCase())
    .pipe(z.iso.datetime({ offset: true }))
    .optional(),
  datacontenttype: z.string().optional(),
  // Taken as it was sent: zod's record schema refuses an object with a field named constructor and drops one named
  // __proto__, field names an event's data may well have.
  data: z.custom<Record<string, unknown>>((data) => typeof data === 'object' && data !== null && !Array.isArray(data), 'data must be a JSON object'),
  // CloudEvents distributed-tracing extension: kept so a forwarded event keeps its sender's trace context
  // (checked where it is sent on: a malformed value is never propagated).
  traceparent: z.string().optional(),
  tracestate: z.string().optional(),
});

export type CloudEvent = z.infer<typeof cloudEventSchema>;

/** Accepts what the bindings hand over: an already parsed object, a JSON string or a Buffer. */
export function parseCloudEvent(body: unknown): CloudEvent {
  const value = typeof body === 'string' || Buffer.isBuffer(body) ? parseJson(body.toString('utf8')) : body;
  const result = cloudEventSchema.safeParse(value);
  if (!result.success) throw new PermanentError(`not a CloudEvents 1.0 JSON event: ${z.prettifyError(result.error)}`);
  return result.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not the text itself, nor JSON.parse's message, which quotes it: the reason is logged, and the parked letter keeps the body.
    throw new PermanentError(`body is not JSON (${text.length} characters)`);
  }
}
