import type { InvocationContext } from '@azure/functions';
import { parseTraceParent as parseW3cTraceParent, TraceState } from '@opentelemetry/core';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) as it travels in a message. The field names are the
 * CloudEvents distributed-tracing extension attributes, so a CloudEvent carries it the standard way and any
 * other JSON message the same way.
 */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

export interface TraceParent {
  /** 32 hex digits: Application Insights' `OperationId`. */
  traceId: string;
  /** 16 hex digits: the span (execution, call) that sent it. */
  parentId: string;
  /** 2 hex digits; 01 = sampled. */
  flags: string;
}

/** The prefix of the log line that links an execution to the operation that sent its message(s). */
export const TRACE_LINK_LOG = 'Trace link';

/**
 * Parses a `traceparent` by the W3C rules, with OpenTelemetry's own parser: lowercase hex only, version `ff`
 * and all-zero ids are invalid, version 00 is exactly 55 characters, a higher version is read by its version-00
 * prefix. Anything else returns undefined: a malformed value is dropped, never propagated.
 */
export function parseTraceParent(value: unknown): TraceParent | undefined {
  if (typeof value !== 'string') return undefined;
  const span = parseW3cTraceParent(value);
  if (!span) return undefined;
  return { traceId: span.traceId, parentId: span.spanId, flags: span.traceFlags.toString(16).padStart(2, '0') };
}

/** Written as version 00, the version this code understands (what the spec asks of a newer version's reader). */
export function formatTraceParent({ traceId, parentId, flags }: TraceParent): string {
  return `00-${traceId}-${parentId}-${flags}`;
}

/**
 * A `tracestate` list as OpenTelemetry keeps it: invalid members dropped, at most 32, one value per key.
 * Undefined when nothing valid is left.
 */
export function parseTraceState(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return new TraceState(value).serialize() || undefined;
}

/** A trace context from raw values, or undefined without a valid traceparent (a tracestate alone means nothing). */
export function toTraceContext(traceparent: unknown, tracestate?: unknown): TraceContext | undefined {
  const parent = parseTraceParent(traceparent);
  if (!parent) return undefined;
  const state = parseTraceState(tracestate);
  return state === undefined ? { traceparent: formatTraceParent(parent) } : { traceparent: formatTraceParent(parent), tracestate: state };
}

/** The current execution's trace context, as the Functions host set it on the invocation. */
export function invocationTraceContext(context: InvocationContext): TraceContext | undefined {
  return toTraceContext(context.traceContext?.traceParent, context.traceContext?.traceState);
}

/**
 * Stamps a trace context on an outgoing JSON message as top-level `traceparent`/`tracestate`. A message
 * that already carries a valid one keeps it: a CloudEvent's trace context must not change once set (OpenTelemetry
 * CloudEvents conventions). A malformed one is replaced, or removed when there is nothing to stamp.
 */
export function withTraceContext(message: Readonly<Record<string, unknown>>, trace: TraceContext | undefined): Record<string, unknown> {
  const { traceparent, tracestate, ...rest } = message;
  return { ...rest, ...(toTraceContext(traceparent, tracestate) ?? trace) };
}

/**
 * The trace context a received message carries: in its JSON body (what this app sends, CloudEvents with the
 * distributed-tracing extension), else in the transport's properties where it has them (Service Bus application
 * properties, Event Hubs event properties), where the Azure SDKs put it as `Diagnostic-Id` or `traceparent`.
 */
export function messageTraceContext(body: unknown, properties?: Readonly<Record<string, unknown>>): TraceContext | undefined {
  const fields = jsonObject(body);
  return (
    (fields && toTraceContext(fields.traceparent, fields.tracestate)) ??
    (properties && (toTraceContext(properties.traceparent, properties.tracestate) ?? toTraceContext(diagnosticId(properties), properties.tracestate)))
  );
}

/** `Diagnostic-Id` as the SDKs set it, or as a trigger's metadata has it: the worker lowercases the first letter of every key. */
function diagnosticId(properties: Readonly<Record<string, unknown>>): unknown {
  return properties['diagnostic-Id'] ?? properties['Diagnostic-Id'];
}

/**
 * Logs that this execution continues the operation(s) that sent its message(s): one line per distinct parent,
 * so a batch from one sender is one line. The worker formats log arguments into a single message string, so
 * the fields go as JSON that infra/queries/operation-across-triggers.kql parses.
 */
export function logTraceLinks(context: InvocationContext, parents: readonly (TraceContext | undefined)[], details: Readonly<Record<string, unknown>> = {}): void {
  const traceParent = invocationTraceContext(context)?.traceparent ?? null;
  const distinct = new Set(parents.flatMap((parent) => (parent ? [parent.traceparent] : [])));
  for (const parentTraceParent of distinct) {
    context.info(`${TRACE_LINK_LOG} ${JSON.stringify({ invocationId: context.invocationId, traceParent, parentTraceParent, ...details })}`);
  }
}

/** Bindings hand a body over parsed, as text or as a Buffer; only a JSON object can carry the fields. */
function jsonObject(body: unknown): Record<string, unknown> | undefined {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString('utf8').trim();
    if (!text.startsWith('{')) return undefined;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
