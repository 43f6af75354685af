import { createHash } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import type { ContainerClient } from '@azure/storage-blob';
import { invocationOperationId, sendOrWarn, type CustomTelemetry, type TelemetryItem } from '../shared/custom-telemetry.js';
import { ensureContainer } from '../shared/storage-clients.js';
import { invocationTraceContext, messageTraceContext } from '../shared/trace-context.js';

export interface DeadLetter {
  /** Which trigger received it: eventgrid, servicebus, eventhubs, storage-queue. */
  source: string;
  /** The transport's id (message id, partition/sequence number, event id): names the parked blob. */
  messageId: string;
  reason: string;
  description: string;
  body: unknown;
  /**
   * Transport properties the message had (Service Bus application properties, Event Hubs properties): a replay
   * resends them with the body (a topic's filter rule reads `type` there), and they can carry the sender's trace context.
   */
  properties?: Readonly<Record<string, unknown>>;
  /** The execution that parked it: its OperationId finds the failure's telemetry. Set by deadLetter(). */
  traceParent?: string;
  /** The operation that sent the message, when the message carried a trace context. Set by deadLetter(). */
  parentTraceParent?: string;
}

/** Where events that must not be retried are parked, so that none is ever silently lost. */
export interface DeadLetterStore {
  /** Stores the letter and returns where it went. */
  park(letter: DeadLetter): Promise<string>;
}

/**
 * One blob per dead letter in `dead-letters/<source>/<yyyy-mm-dd>/<messageId>-<body hash>.json`. The same message
 * parked twice (a redelivery) overwrites its own blob instead of piling up copies; two messages a producer gave one
 * id (Service Bus lets it choose) get a blob each, where the second would have overwritten the first.
 */
export class BlobDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly container: ContainerClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async park(letter: DeadLetter): Promise<string> {
    await ensureContainer(this.container);
    const parkedAt = this.now();
    const name = `${letter.source}/${parkedAt.toISOString().slice(0, 10)}/${blobNameSegment(letter.messageId)}-${bodyHash(letter.body)}.json`;
    const content = JSON.stringify({ ...letter, parkedAt: parkedAt.toISOString() }, null, 2);
    await this.container.getBlockBlobClient(name).upload(content, Buffer.byteLength(content), {
      blobHTTPHeaders: { blobContentType: 'application/json' },
      metadata: { reason: letter.reason },
    });
    return `${this.container.containerName}/${name}`;
  }
}

/** Room for the message id in a blob name, which holds at most 1,024 characters with the source, day and body hash. */
const MAX_ID_SEGMENT = 900;

/** 64 bits of the body's SHA-256: tells apart the bodies of messages that share an id. */
function bodyHash(body: unknown): string {
  return createHash('sha256')
    .update(typeof body === 'string' ? body : JSON.stringify(body) ?? '')
    .digest('hex')
    .slice(0, 16);
}

/** The message id, encoded; a longer one is cut and ends with a hash of the whole, so two ids never share a blob. */
function blobNameSegment(messageId: string): string {
  const encoded = encodeURIComponent(messageId);
  if (encoded.length <= MAX_ID_SEGMENT) return encoded;
  const hash = createHash('sha256').update(messageId).digest('hex');
  return `${encoded.slice(0, MAX_ID_SEGMENT - hash.length - 1)}-${hash}`;
}

/**
 * The custom event the `events-dead-lettered` alert counts (AppEvents): the host samples log lines under load, and
 * the one line a letter logs could be dropped where a single letter must page.
 */
export const DEAD_LETTERED_EVENT = 'EventsDeadLettered';

/**
 * Sends one `EventsDeadLettered` event per source and reason of the letters an invocation parked, with their count:
 * one call per invocation, not per letter. A failure to send is a warning: the letters are parked and logged.
 */
export async function reportDeadLettered(telemetry: CustomTelemetry, letters: readonly Pick<DeadLetter, 'source' | 'reason'>[], context: InvocationContext, time = new Date()): Promise<void> {
  const counts = new Map<string, { source: string; reason: string; count: number }>();
  for (const { source, reason } of letters) {
    const key = JSON.stringify([source, reason]);
    const entry = counts.get(key) ?? { source, reason, count: 0 };
    counts.set(key, { ...entry, count: entry.count + 1 });
  }
  const operationId = invocationOperationId(context);
  const items = [...counts.values()].map(({ source, reason, count }): TelemetryItem => ({ kind: 'event', name: DEAD_LETTERED_EVENT, time, properties: { source, reason }, measurements: { count }, operationId }));
  if (items.length > 0) await sendOrWarn(telemetry, items, context);
}

/** Parks a letter and logs it, for people reading the logs (the alert counts the event `reportDeadLettered` sends). */
export async function deadLetter(store: DeadLetterStore, letter: DeadLetter, context: InvocationContext): Promise<void> {
  const location = await store.park({
    ...letter,
    traceParent: invocationTraceContext(context)?.traceparent,
    parentTraceParent: messageTraceContext(letter.body, letter.properties)?.traceparent,
  });
  context.error(`Event dead-lettered: ${letter.reason} (${letter.source} message ${letter.messageId}) ${letter.description}; parked at ${location}`);
}
